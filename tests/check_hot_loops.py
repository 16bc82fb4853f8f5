#!/usr/bin/env python3
"""Fails when a CPU kernel's innermost loop stores a vector register to the stack.

A loop-carried vector that lives on the stack (a spilled accumulator, or a
vector type wider than the path's registers, which GCC keeps in memory)
costs a store and a reload per iteration, and store-to-load forwarding can
fail on top: the kernel runs several times slower with the same bits.  No
test of results can see that, so this one reads the machine code: it
disassembles the given objects (each CPU path's kernel objects of a built
library), finds every innermost loop (a backward branch whose body holds no
other backward branch, and no call) that touches memory outside its stack
frame (the data; a loop over the frame alone, such as the fold of lanes
summed into an array there, is not a hot loop), and reports each vector
store to a fixed stack slot (%rsp, or %rbp as frame pointer, on x86-64;
sp or x29 on aarch64) inside one: a spill.  A store through an index register writes
an array on the stack (a gather buffer, a panel), not a spill.  Scalar
stores and loads (constants, reloads of invariants) are allowed.

usage: check_hot_loops.py [--objdump PROG] OBJECT...
Only the reductions', GEMV's and the batches' objects are read
(OBJECTS_CHECKED), and each of KERNELS (the functions the backend tables
call) must be found in them with a loop, so that a renamed kernel cannot
slip out of the check unseen.
"""
import argparse
import re
import subprocess
import sys

OBJECTS_CHECKED = re.compile(r"/(gemv|reduce|batch)\.c\.o(bj)?$")
KERNELS = ("sum_leaf", "dot_leaf", "nrm2_leaf", "amax_leaf", "ddot_rows", "sdot_rows", "daxpy_run", "saxpy_run",
           "side_by_side", "dense_reductions", "gemv_dense")

FUNC = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")

# x86-64 (AT&T syntax): a vector register source and a stack destination.
X86_VECTOR_STORE = re.compile(r"^v?mov\w*\s+%[xyz]mm\d+,\s*-?(0x[0-9a-f]+|\d+)?\(%rsp\)")
X86_FRAME_STORE = re.compile(r"^v?mov\w*\s+%[xyz]mm\d+,\s*-?(0x[0-9a-f]+|\d+)?\(%rbp\)")
X86_FRAME_POINTER = re.compile(r"^mov\s+%rsp,\s*%rbp$")
X86_SCALAR = re.compile(r"^v?mov(s[sd]|q|d|lp[sd]|hp[sd])\s")
# aarch64: q (128-bit) or SVE z registers stored to [sp ...] or [x29 ...]
# at a fixed offset.
ARM_VECTOR_STORE = re.compile(r"^(stp|str|stur|st1\w*|stnp)\s+.*\b(q\d+|v\d+\.\w+|z\d+\.\w+)"
                              r".*\[(sp|x29)(,\s*#-?\w+)?\]")
X86_BRANCH = re.compile(r"^j\w+$")
ARM_BRANCH = re.compile(r"^(b(\.\w+)?|cbn?z|tbn?z)$")


def functions(text):
    """(name, [(address, mnemonic, operands)]) for each function of objdump -d."""
    name, insns = None, []
    for line in text.splitlines():
        m = FUNC.match(line)
        if m:
            if name:
                yield name, insns
            name, insns = m.group(2), []
            continue
        m = INSN.match(line)
        if m and name:
            insns.append((int(m.group(1), 16), m.group(2), re.sub(r"\s+(#\s|//).*$", "", m.group(3)).strip()))
    if name:
        yield name, insns


def branch_target(mnemonic, operands):
    if not (X86_BRANCH.match(mnemonic) or ARM_BRANCH.match(mnemonic)):
        return None
    m = re.match(r"^(?:\w+,\s*)*(?:#\d+,\s*)?([0-9a-f]+)\b", operands)
    return int(m.group(1), 16) if m else None


CALL_OR_RETURN = re.compile(r"^(call\w*|ret\w*|bl|blr|br)$")


UNCONDITIONAL = re.compile(r"^(jmp\w*|b)$")


def reaches_end(body):
    """Whether control entering body at its first instruction can reach its
    last (the backward branch) without leaving it: else the range is cold
    code laid out between jumps, not a loop."""
    index = {a: i for i, (a, _, _) in enumerate(body)}
    seen, todo = set(), [0]
    while todo:
        i = todo.pop()
        if i in seen or i >= len(body):
            continue
        seen.add(i)
        _, mnemonic, operands = body[i]
        target = branch_target(mnemonic, operands)
        if target is not None and target in index:
            todo.append(index[target])
        if not UNCONDITIONAL.match(mnemonic):
            todo.append(i + 1)
    return len(body) - 1 in seen


def innermost_loops(insns):
    """(first, last) addresses of each backward branch's body with no other
    loop inside, and no call or return: a loop that calls out loses its
    vector registers (caller-saved) on every iteration and is no kernel's
    hot loop, and a range with a return is a jump back from cold code laid
    out after the function's end, not a loop."""
    loops = []
    for address, mnemonic, operands in insns:
        target = branch_target(mnemonic, operands)
        if target is not None and target <= address:
            body = [(a, m, o) for a, m, o in insns if target <= a <= address]
            if not any(CALL_OR_RETURN.match(m) for _, m, _ in body) and reaches_end(body):
                loops.append((target, address))
    return [(a, b) for a, b in loops if not any((c, d) != (a, b) and a <= c and d <= b for c, d in loops)]


X86_MEMORY = re.compile(r"\(([^)]*)\)")
ARM_MEMORY = re.compile(r"\[(\w+)")
STACK_BASES = ("rsp", "sp", "x29")


def reads_data(body, frame_pointer):
    """Whether a loop touches memory other than its own stack frame (the
    data a kernel streams through): a loop that only reads and writes the
    frame, e.g. the fold of lanes already summed into an array there, is no
    hot loop, and its array stores are not spills."""
    frame = STACK_BASES + (("rbp",) if frame_pointer else ())
    for _, mnemonic, operands in body:
        if mnemonic.startswith(("lea", "nop", "prefetch")):  # address arithmetic, padding, hints: no access
            continue
        for m in X86_MEMORY.finditer(operands):  # the frame's register as base or index: the frame
            registers = re.findall(r"%(\w+)", m.group(1))
            if not any(r in frame or r == "rip" for r in registers):
                return True
        for m in ARM_MEMORY.finditer(operands):
            if m.group(1) not in frame:
                return True
    return False


def is_vector_store(mnemonic, operands, frame_pointer):
    """A vector register stored to the stack: %rsp-relative, or
    %rbp-relative where the function keeps its frame pointer there (else
    %rbp is an ordinary register)."""
    text = f"{mnemonic} {operands}"
    if X86_VECTOR_STORE.match(text) or (frame_pointer and X86_FRAME_STORE.match(text)):
        return not X86_SCALAR.match(text)
    return bool(ARM_VECTOR_STORE.match(text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objdump", default="objdump")
    parser.add_argument("objects", nargs="+")
    args = parser.parse_args()
    failures, loops_of = [], {}
    for obj in [o for o in args.objects if OBJECTS_CHECKED.search(o)]:
        text = subprocess.run([args.objdump, "-d", "--no-show-raw-insn", obj], check=True,
                              capture_output=True, text=True).stdout
        for name, insns in functions(text):
            loops = innermost_loops(insns)
            frame_pointer = any(X86_FRAME_POINTER.match(f"{m} {o}") for _, m, o in insns)
            loops_of[name] = loops_of.get(name, 0) + len(loops)
            for first, last in loops:
                if not reads_data([i for i in insns if first <= i[0] <= last], frame_pointer):
                    continue
                for address, mnemonic, operands in insns:
                    if first <= address <= last and is_vector_store(mnemonic, operands, frame_pointer):
                        failures.append(f"{obj}: {name}: loop {first:x}-{last:x}: {address:x}: {mnemonic} {operands}")
    for prefix in KERNELS:
        if not any(name.startswith(prefix) and n > 0 for name, n in loops_of.items()):
            failures.append(f"no function named {prefix}* with a loop in the objects")
    total = sum(loops_of.values())
    if failures:
        print(f"check_hot_loops: {len(failures)} problem(s) in {total} innermost loops:", *failures, sep="\n  ")
        return 1
    print(f"check_hot_loops: {total} innermost loops in {len(loops_of)} functions, no vector store to the stack")
    return 0


if __name__ == "__main__":
    sys.exit(main())
