; Calls the C library's puts, which the default resolver must not provide.
@message = private constant [3 x i8] c"hi\00"

declare i32 @puts(ptr)

define i32 @say_hi() {
  %r = call i32 @puts(ptr @message)
  ret i32 %r
}
