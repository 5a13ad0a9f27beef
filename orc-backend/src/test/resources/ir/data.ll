; Exported data next to functions that use it.
@table = global [4 x i32] [i32 10, i32 20, i32 30, i32 40]
@counter = global i64 0
@greeting = constant [6 x i8] c"hello\00"

define void @bump() {
  %old = load i64, ptr @counter, align 8
  %new = add i64 %old, 1
  store i64 %new, ptr @counter, align 8
  ret void
}

define i64 @count() {
  %value = load i64, ptr @counter, align 8
  ret i64 %value
}

define i32 @table_at(i32 %index) {
  %wide = sext i32 %index to i64
  %slot = getelementptr inbounds [4 x i32], ptr @table, i64 0, i64 %wide
  %value = load i32, ptr %slot, align 4
  ret i32 %value
}
