; A plugin that needs two symbols from outside: inspect lists them, run cannot load it without a resolver.

declare i32 @puts(ptr)
declare i32 @getpid()

@message = private constant [6 x i8] c"hello\00"

define i32 @greet() {
  %r = call i32 @puts(ptr @message)
  ret i32 %r
}

define i32 @pid() {
  %r = call i32 @getpid()
  ret i32 %r
}
