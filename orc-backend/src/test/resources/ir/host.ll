; Calls back into the host through the resolver.
declare i32 @host_add(i32, i32)

define i32 @add_via_host(i32 %a, i32 %b) {
  %sum = call i32 @host_add(i32 %a, i32 %b)
  %doubled = mul i32 %sum, 2
  ret i32 %doubled
}
