; Calls a function it does not define.
@offset = global i32 7

declare i32 @ext_fn(i32)

define i32 @call_ext(i32 %x) {
  %base = load i32, ptr @offset, align 4
  %y = add i32 %x, %base
  %r = call i32 @ext_fn(i32 %y)
  ret i32 %r
}
