; Asks the operating system for the process id: a resolver policy may well refuse getpid.
declare i32 @getpid()

define i32 @pid() {
  %p = call i32 @getpid()
  ret i32 %p
}
