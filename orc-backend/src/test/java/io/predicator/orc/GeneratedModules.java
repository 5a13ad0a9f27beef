package io.predicator.orc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generated modules that hurt LLVM in-process: code generator probes, reference chains and loop nests, for the
 * compile worker's tests and the fuzz test's generated and crafted inputs.
 */
final class GeneratedModules {
    private GeneratedModules() {
    }

    /** IR that passes the verifier but that LLVM's x86 back end cannot compile: LLVM's fatal error path. */
    static Map<String, String> codegenProbes() {
        Map<String, String> probes = new LinkedHashMap<>();
        probes.put("amdgcn-intrinsic", """
                declare float @llvm.amdgcn.fmed3.f32(float, float, float)
                define float @f(float %a) {
                  %r = call float @llvm.amdgcn.fmed3.f32(float %a, float %a, float %a)
                  ret float %r
                }
                """);
        probes.put("aarch64-neon-intrinsic", """
                declare <4 x i32> @llvm.aarch64.neon.uqadd.v4i32(<4 x i32>, <4 x i32>)
                define <4 x i32> @f(<4 x i32> %a) {
                  %r = call <4 x i32> @llvm.aarch64.neon.uqadd.v4i32(<4 x i32> %a, <4 x i32> %a)
                  ret <4 x i32> %r
                }
                """);
        probes.put("wasm-intrinsic", """
                declare i32 @llvm.wasm.memory.size.i32(i32)
                define i32 @f() {
                  %r = call i32 @llvm.wasm.memory.size.i32(i32 0)
                  ret i32 %r
                }
                """);
        probes.put("x86-xbegin-without-rtm", """
                declare i32 @llvm.x86.xbegin()
                define i32 @f() {
                  %r = call i32 @llvm.x86.xbegin()
                  ret i32 %r
                }
                """);
        probes.put("unknown-gc", """
                define void @f() gc "foo" {
                  ret void
                }
                """);
        probes.put("hipe-calling-convention", """
                define cc 11 void @f(i64 %a) {
                  ret void
                }
                define void @g() {
                  call cc 11 void @f(i64 1)
                  ret void
                }
                """);
        probes.put("read-register-bad-name", """
                declare i64 @llvm.read_register.i64(metadata)
                define i64 @f() {
                  %r = call i64 @llvm.read_register.i64(metadata !0)
                  ret i64 %r
                }
                !0 = !{!"no-such-register"}
                """);
        probes.put("scalable-vector", """
                define <vscale x 4 x i32> @f(<vscale x 4 x i32> %a) {
                  %r = add <vscale x 4 x i32> %a, %a
                  ret <vscale x 4 x i32> %r
                }
                """);
        probes.put("comdat-largest", """
                $f = comdat largest
                define void @f() comdat {
                  ret void
                }
                """);
        probes.put("spirv-image-argument", """
                define void @f(target("spirv.Image", void, 1, 0, 0, 0, 0, 0, 0) %image) {
                  ret void
                }
                define void @g() {
                  call void @f(target("spirv.Image", void, 1, 0, 0, 0, 0, 0, 0) zeroinitializer)
                  ret void
                }
                """);
        return probes;
    }

    /**
     * Reference chains that overflow LLVM's native stack in-process; no line is deeply nested.
     *
     * @param length the metadata and struct chains' length
     * @param aliases the alias chain's length
     */
    static Map<String, String> chains(int length, int aliases) {
        Map<String, String> chains = new LinkedHashMap<>();
        StringBuilder metadata = new StringBuilder("define void @f() {\n  ret void, !chain !0\n}\n");
        for (int i = 0; i < length; i++) {
            metadata.append('!').append(i).append(" = !{!").append(i + 1).append("}\n");
        }
        metadata.append('!').append(length).append(" = !{}\n");
        chains.put("metadata-chain", metadata.toString());
        StringBuilder structs = new StringBuilder();
        for (int i = 0; i < length; i++) {
            structs.append("%s").append(i).append(" = type { %s").append(i + 1).append(" }\n");
        }
        structs.append("%s").append(length).append(" = type { i32 }\n")
                .append("define void @f(ptr %p) {\n  %v = load %s0, ptr %p\n  store %s0 %v, ptr %p\n  ret void\n}\n");
        chains.put("struct-chain", structs.toString());
        StringBuilder chain = new StringBuilder("@g = global i32 0\n");
        for (int i = 0; i < aliases; i++) {
            chain.append("@a").append(i).append(" = alias i32, ptr ").append(i == aliases - 1 ? "@g" : "@a" + (i + 1))
                    .append('\n');
        }
        chain.append("define i32 @f() {\n  %v = load i32, ptr @a0\n  ret i32 %v\n}\n");
        chains.put("alias-chain", chain.toString());
        return chains;
    }

    /** A loop nest this deep keeps LLVM's O2 loop passes busy for minutes. */
    static String loopNest(int depth) {
        StringBuilder ir = new StringBuilder("declare void @sink(i32)\ndefine void @f(i32 %n) {\nentry:\n  br label %h0\n");
        for (int k = 0; k < depth; k++) {
            String from = k == 0 ? "%entry" : "%h" + (k - 1);
            String body = k == depth - 1 ? "%inner" : "%h" + (k + 1);
            ir.append("h").append(k).append(":\n")
                    .append("  %i").append(k).append(" = phi i32 [0, ").append(from).append("], [%n").append(k)
                    .append(", %x").append(k).append("]\n")
                    .append("  %c").append(k).append(" = icmp slt i32 %i").append(k).append(", %n\n")
                    .append("  br i1 %c").append(k).append(", label ").append(body).append(", label %e").append(k)
                    .append('\n')
                    .append("e").append(k).append(":\n")
                    .append(k == 0 ? "  ret void\n" : "  br label %x" + (k - 1) + "\n")
                    .append("x").append(k).append(":\n")
                    .append("  %n").append(k).append(" = add i32 %i").append(k).append(", 1\n")
                    .append("  br label %h").append(k).append('\n');
        }
        ir.append("inner:\n  call void @sink(i32 %i").append(depth - 1).append(")\n  br label %x").append(depth - 1)
                .append("\n}\n");
        return ir.toString();
    }

}
