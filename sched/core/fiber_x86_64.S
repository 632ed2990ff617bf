/*
 * fiber_x86_64.S -- the x86-64 register swap behind fiber_switch (fiber.c).
 * Saves only what the SysV ABI makes callee-saved: rbx rbp r12-r15, rsp, and
 * the MXCSR / x87 control words; fiber.c builds first frames and talks to ASan.
 * Invariant: a saved sp points at [mxcsr|x87cw, r15, r14, r13, r12, rbx, rbp,
 * return address], the layout fiber.c's arch_prepare writes. No system calls.
 */
#if defined(__x86_64__) && !defined(WEFT_FIBER_UCONTEXT) /* else fiber.c uses ucontext */

	.text

/* void *fiber_swap_context_(void **save, void *new_sp)
 * Stores our sp in *save, resumes the frame at new_sp, and returns (there)
 * the save pointer of the switcher, so the resumed side knows who left.
 * FP control words are loaded only when they differ: ldmxcsr and fldcw cost
 * more than the compare, and fibers almost always share one FP mode. */
	.globl	fiber_swap_context_
	.hidden	fiber_swap_context_
	.type	fiber_swap_context_, @function
	.p2align 4
fiber_swap_context_:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsp, %rdx		/* our frame: the FP state in force now */
	movq	%rsi, %rsp
	movl	(%rsp), %eax
	cmpl	(%rdx), %eax
	jne	.Lload_mxcsr
.Lmxcsr_done:
	movzwl	4(%rsp), %eax
	cmpw	4(%rdx), %ax
	jne	.Lload_x87cw
.Lx87cw_done:
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax
	/* ret, not pop+jmp: it keeps the return-stack predictor balanced, so
	 * when both sides switch through the same call path (weft's wrappers)
	 * every return is predicted. pop+jmp wins only a bare ping-pong loop. */
	ret
.Lload_mxcsr:
	ldmxcsr	(%rsp)
	jmp	.Lmxcsr_done
.Lload_x87cw:
	fldcw	4(%rsp)
	jmp	.Lx87cw_done
	.size	fiber_swap_context_, .-fiber_swap_context_

/* First "return" of a fresh fiber lands here with rsp 16-aligned, rbx = the
 * fiber and rdi = the switcher's save pointer: hand both to C. The CFI marks
 * this as the outermost frame for debuggers and unwinders. */
	.globl	fiber_entry_stub_
	.hidden	fiber_entry_stub_
	.type	fiber_entry_stub_, @function
	.p2align 4
fiber_entry_stub_:
	.cfi_startproc
	.cfi_undefined rip
	movq	%rdi, %rsi
	movq	%rbx, %rdi
	call	fiber_start_
	ud2
	.cfi_endproc
	.size	fiber_entry_stub_, .-fiber_entry_stub_

#endif

	.section .note.GNU-stack,"",%progbits
