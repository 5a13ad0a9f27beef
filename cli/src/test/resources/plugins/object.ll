; The source of object.o, an ELF object for x86-64 that carries no types. Regenerate it with
;   llc -opaque-pointers -O2 -filetype=obj -mtriple=x86_64-pc-linux-gnu object.ll -o object.o

define i32 @add(i32 %a, i32 %b) {
  %r = add i32 %a, %b
  ret i32 %r
}

define i64 @square(i64 %x) {
  %r = mul i64 %x, %x
  ret i64 %r
}
