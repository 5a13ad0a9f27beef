; Calls the C library's getpid, which the default resolver must not provide.
declare i32 @getpid()

define i32 @my_pid() {
  %pid = call i32 @getpid()
  ret i32 %pid
}
