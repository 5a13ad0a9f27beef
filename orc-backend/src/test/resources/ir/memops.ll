; Needs memcpy and memset, which the default resolver provides.
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg)
declare ptr @memset(ptr, i32, i64)

define void @copy_bytes(ptr %destination, ptr %source, i64 %count) {
  call void @llvm.memcpy.p0.p0.i64(ptr %destination, ptr %source, i64 %count, i1 false)
  ret void
}

define void @fill_bytes(ptr %destination, i32 %value, i64 %count) {
  %ignored = call ptr @memset(ptr %destination, i32 %value, i64 %count)
  ret void
}
