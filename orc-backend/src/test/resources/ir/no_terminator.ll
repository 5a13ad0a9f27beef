; A basic block without a terminator.
define i32 @unterminated(i32 %a) {
entry:
  %r = add i32 %a, 1
}
