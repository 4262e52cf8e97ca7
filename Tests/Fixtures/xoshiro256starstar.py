#!/usr/bin/env python3
# Prints the reference outputs pasted into Tests/ImplicitRegularizationTests/RandomSourceTests.swift.
# Independent xoshiro256** (Blackman & Vigna, reference C code xoshiro256starstar.c) seeded by
# SplitMix64 (splitmix64.c), with the seed mixed with a stream label as RandomSource does:
#   s = seed ^ (stream * 0xD1B54A32D192ED03 mod 2^64).
import math
M = (1 << 64) - 1
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
class SplitMix64:
    def __init__(self, x): self.x = x & M
    def next(self):
        self.x = (self.x + 0x9E3779B97F4A7C15) & M
        z = self.x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)
class Xoshiro:
    def __init__(self, seed, stream=0):
        sm = SplitMix64(seed ^ ((stream * 0xD1B54A32D192ED03) & M))
        self.s = [sm.next() for _ in range(4)]
    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result
    def uniform(self): return (self.next() >> 11) * 2.0**-53
    def normals(self, n):
        out = []
        while len(out) < n:
            u1 = self.uniform()
            while u1 == 0: u1 = self.uniform()
            u2 = self.uniform()
            r = math.sqrt(-2 * math.log(u1))
            out += [r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)]
        return out[:n]

# Cross-check of the xoshiro core against the authors' reference: with state (1, 2, 3, 4)
# the reference C code gives 11520, 0, 1509978240, 1215971899390074240 (widely published).
x = Xoshiro(0); x.s = [1, 2, 3, 4]
print("state1234", [x.next() for _ in range(6)])
sm = SplitMix64(0); print("splitmix0", [hex(sm.next()) for _ in range(3)])
for seed, stream in [(0, 0), (1, 0), (42, 7), (0xFFFFFFFFFFFFFFFF, 3)]:
    g = Xoshiro(seed, stream); print("next", seed, stream, [hex(g.next()) for _ in range(5)])
g = Xoshiro(5, 8); print("uniform 5 8", [repr(g.uniform()) for _ in range(4)])
g = Xoshiro(9, 0); print("normals 9 0", [repr(v) for v in g.normals(5)])
