/*
 * fiber_aarch64.S -- the AArch64 register swap behind fiber_switch (fiber.c).
 * Saves what AAPCS64 makes callee-saved: x19-x30, sp, d8-d15 and the FPCR
 * control bits; fiber.c builds first frames and talks to ASan. Invariant: a
 * saved sp points at 176 bytes [x19..x28, x29, x30, d8..d15, fpcr, pad], the
 * layout fiber.c's arch_prepare writes; sp stays 16-aligned. No system calls.
 */
#if defined(__aarch64__) && !defined(WEFT_FIBER_UCONTEXT) /* else fiber.c uses ucontext */

	.text

/* void *fiber_swap_context_(void **save, void *new_sp)
 * Stores our sp in *save, resumes the frame at new_sp, and returns (there)
 * x0 untouched: the switcher's save pointer, so the resumed side knows who
 * left. FPCR is written only when it differs: msr fpcr may serialise, and
 * fibers almost always share one FP mode. */
	.globl	fiber_swap_context_
	.hidden	fiber_swap_context_
	.type	fiber_swap_context_, %function
	.p2align 4
fiber_swap_context_:
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8,  d9,  [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x10, fpcr		/* x10: the FP mode in force now */
	str	x10, [sp, #160]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8,  d9,  [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldr	x9, [sp, #160]
	cmp	x9, x10
	b.ne	.Lload_fpcr
.Lfpcr_done:
	add	sp, sp, #176
	ret
.Lload_fpcr:
	msr	fpcr, x9
	b	.Lfpcr_done
	.size	fiber_swap_context_, .-fiber_swap_context_

/* First "return" of a fresh fiber lands here (x30) with x19 = the fiber and
 * x0 = the switcher's save pointer: hand both to C. The CFI marks this as the
 * outermost frame for debuggers and unwinders. */
	.globl	fiber_entry_stub_
	.hidden	fiber_entry_stub_
	.type	fiber_entry_stub_, %function
	.p2align 4
fiber_entry_stub_:
	.cfi_startproc
	.cfi_undefined x30
	mov	x1, x0
	mov	x0, x19
	bl	fiber_start_
	brk	#0x3e8
	.cfi_endproc
	.size	fiber_entry_stub_, .-fiber_entry_stub_

#endif

	.section .note.GNU-stack,"",%progbits
