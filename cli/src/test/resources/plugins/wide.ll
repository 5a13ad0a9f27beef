; A function Java cannot call: i128 has no java.lang.foreign carrier.

define i128 @wide(i128 %x) {
  ret i128 %x
}
