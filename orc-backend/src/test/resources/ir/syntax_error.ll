; The third line has a syntax error.
define i32 @broken(i32 %a) {
  %r = add i32 %a, %nonsense,,
  ret i32 %r
}
