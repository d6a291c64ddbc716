namespace OpenCkv.KeyTransparency.Trees;

/// <summary>An immutable prefix-tree node. Versions of the tree share every node they did not change.</summary>
internal abstract class PrefixNode(Hash32 value)
{
    /// <summary>The node's value (KT §11.9).</summary>
    public Hash32 Value { get; } = value;
}

/// <summary>A leaf: a search key (VRF output) and the commitment it maps to.</summary>
internal sealed class PrefixLeafNode(PrefixLeaf leaf, Hash32 value) : PrefixNode(value)
{
    public PrefixLeaf Leaf { get; } = leaf;
}

/// <summary>A parent; a missing child (null) stands in as 32 zero bytes.</summary>
internal sealed class PrefixParentNode(PrefixNode? left, PrefixNode? right, Hash32 value) : PrefixNode(value)
{
    public PrefixNode? Left { get; } = left;

    public PrefixNode? Right { get; } = right;
}

/// <summary>Bit addressing of 256-bit search keys: bit 0 is the most significant bit of byte 0 (KT §3.3).</summary>
internal static class KeyBits
{
    public const int KeyBitLength = 256;

    public static int Bit(ReadOnlySpan<byte> key, int index) => (key[index >> 3] >> (7 - (index & 7))) & 1;

    /// <summary>True when the first <paramref name="length"/> bits of the two keys agree.</summary>
    public static bool SharePrefix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int length)
    {
        int fullBytes = length >> 3;
        if (!a[..fullBytes].SequenceEqual(b[..fullBytes]))
        {
            return false;
        }

        int rest = length & 7;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (a[fullBytes] & mask) == (b[fullBytes] & mask);
    }
}
