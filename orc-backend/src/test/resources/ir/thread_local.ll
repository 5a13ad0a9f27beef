; Thread-local storage, which JIT-loaded plugins cannot have.
@per_thread = thread_local global i32 0

define i32 @next_per_thread() {
  %old = load i32, ptr @per_thread, align 4
  %new = add i32 %old, 1
  store i32 %new, ptr @per_thread, align 4
  ret i32 %new
}
