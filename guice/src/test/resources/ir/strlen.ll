; Measures a C string with the C library's strlen, which only a resolver can provide.
declare i64 @strlen(ptr)

define i64 @length(ptr %text) {
  %n = call i64 @strlen(ptr %text)
  ret i64 %n
}
