; A static constructor, which the JIT would never run. The store is volatile so that the optimiser cannot
; evaluate the constructor at compile time and drop it.
@initialised = global i32 0
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]

define internal void @init() {
  store volatile i32 1, ptr @initialised, align 4
  ret void
}

define i32 @is_initialised() {
  %value = load i32, ptr @initialised, align 4
  ret i32 %value
}
