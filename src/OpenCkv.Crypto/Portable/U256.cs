using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OpenCkv.Crypto.Portable;

/// <summary>
/// A 256-bit unsigned integer as four little-endian 64-bit limbs, with branch-free carry arithmetic: every helper
/// runs the same instructions whatever the values, so it may touch secret scalars.
/// </summary>
internal struct U256
{
    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;

    public U256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public static U256 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException("A 256-bit integer is 32 bytes.", nameof(bytes));
        }

        return new U256(
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    public static U256 FromHex(string hex) => FromBigEndian(Convert.FromHexString(hex));

    public readonly void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], L0);
    }

    public readonly bool IsZeroPublic => (L0 | L1 | L2 | L3) == 0;

    /// <summary>All-ones when the value is zero, else zero; branch-free.</summary>
    public readonly ulong ZeroMask()
    {
        ulong any = L0 | L1 | L2 | L3;
        return unchecked(((any | (0UL - any)) >> 63) - 1);
    }

    /// <summary>x + y + carryIn with the carry out in bit 0 (the formula of Go's bits.Add64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddWithCarry(ulong x, ulong y, ulong carryIn, out ulong carryOut)
    {
        ulong sum = unchecked(x + y + carryIn);
        carryOut = ((x & y) | ((x | y) & ~sum)) >> 63;
        return sum;
    }

    /// <summary>x − y − borrowIn with the borrow out in bit 0 (the formula of Go's bits.Sub64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SubWithBorrow(ulong x, ulong y, ulong borrowIn, out ulong borrowOut)
    {
        ulong diff = unchecked(x - y - borrowIn);
        borrowOut = ((~x & y) | (~(x ^ y) & diff)) >> 63;
        return diff;
    }

    /// <summary>a + b with the carry out (0 or 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Add(in U256 a, in U256 b, out ulong carry)
    {
        U256 r;
        r.L0 = AddWithCarry(a.L0, b.L0, 0, out carry);
        r.L1 = AddWithCarry(a.L1, b.L1, carry, out carry);
        r.L2 = AddWithCarry(a.L2, b.L2, carry, out carry);
        r.L3 = AddWithCarry(a.L3, b.L3, carry, out carry);
        return r;
    }

    /// <summary>a − b with the borrow out (0 or 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Sub(in U256 a, in U256 b, out ulong borrow)
    {
        U256 r;
        r.L0 = SubWithBorrow(a.L0, b.L0, 0, out borrow);
        r.L1 = SubWithBorrow(a.L1, b.L1, borrow, out borrow);
        r.L2 = SubWithBorrow(a.L2, b.L2, borrow, out borrow);
        r.L3 = SubWithBorrow(a.L3, b.L3, borrow, out borrow);
        return r;
    }

    /// <summary>Returns <paramref name="whenOnes"/> where <paramref name="mask"/> is all-ones, else <paramref name="whenZero"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static U256 Select(ulong mask, in U256 whenOnes, in U256 whenZero) => new(
        (whenOnes.L0 & mask) | (whenZero.L0 & ~mask),
        (whenOnes.L1 & mask) | (whenZero.L1 & ~mask),
        (whenOnes.L2 & mask) | (whenZero.L2 & ~mask),
        (whenOnes.L3 & mask) | (whenZero.L3 & ~mask));

    /// <summary>All-ones when a &lt; b, else zero; branch-free.</summary>
    public static ulong LessThanMask(in U256 a, in U256 b)
    {
        _ = Sub(a, b, out ulong borrow);
        return unchecked(0UL - borrow);
    }

    /// <summary>Bit <paramref name="index"/> (0 = least significant). The index is public; the value need not be.</summary>
    public readonly ulong Bit(int index) => (index >> 6) switch
    {
        0 => (L0 >> index) & 1,
        1 => (L1 >> (index - 64)) & 1,
        2 => (L2 >> (index - 128)) & 1,
        _ => (L3 >> (index - 192)) & 1,
    };

    /// <summary>The 4-bit window starting at bit <paramref name="index"/> (a multiple of 4; public).</summary>
    public readonly uint Nibble(int index) => (uint)(((index >> 6) switch
    {
        0 => L0 >> index,
        1 => L1 >> (index - 64),
        2 => L2 >> (index - 128),
        _ => L3 >> (index - 192),
    }) & 0xF);
}
