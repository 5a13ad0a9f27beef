; Returns an i64 from a function declared to return i32.
define i32 @wrong(i64 %a) {
  ret i64 %a
}
