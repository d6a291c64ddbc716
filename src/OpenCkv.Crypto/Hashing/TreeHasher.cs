using System.Buffers.Binary;

namespace OpenCkv.Crypto.Hashing;

/// <summary>
/// The node hashes of the KEYTRANS log tree (KT §11.8) and prefix tree (§11.9). Log-tree hashing is not RFC 6962
/// hashing: a parent hashes 66 bytes, each child's value prefixed with its node type.
/// </summary>
public sealed class TreeHasher
{
    /// <summary>Node hash size (<c>Hash.Nh</c>).</summary>
    public const int HashSize = Sha256Engine.HashSize;

    private const byte LogLeafType = 0x00;
    private const byte LogParentType = 0x01;
    private const byte PrefixLeafType = 0x02;
    private const byte PrefixParentType = 0x03;

    private readonly Sha256Engine _sha256;

    internal TreeHasher(Sha256Engine sha256) => _sha256 = sha256;

    /// <summary>§11.9: leaf.value = Hash(0x02 || vrf_output || commitment).</summary>
    public void PrefixLeaf(ReadOnlySpan<byte> vrfOutput, ReadOnlySpan<byte> commitment, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + HashSize + HashSize];
        input[0] = PrefixLeafType;
        Copy32(vrfOutput, input[1..], nameof(vrfOutput));
        Copy32(commitment, input[(1 + HashSize)..], nameof(commitment));
        _sha256.Hash(input, destination);
    }

    /// <summary>
    /// §11.9: parent.value = Hash(0x03 || left.value || right.value); the caller passes 32 zero bytes for a missing
    /// child.
    /// </summary>
    public void PrefixParent(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + HashSize + HashSize];
        input[0] = PrefixParentType;
        Copy32(left, input[1..], nameof(left));
        Copy32(right, input[(1 + HashSize)..], nameof(right));
        _sha256.Hash(input, destination);
    }

    /// <summary>§11.8: leaf value = Hash(LogEntry), <c>struct { uint64 timestamp; opaque prefix_tree[Hash.Nh]; }</c>.</summary>
    public void LogLeaf(ulong timestampMs, ReadOnlySpan<byte> prefixRoot, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[8 + HashSize];
        BinaryPrimitives.WriteUInt64BigEndian(input, timestampMs);
        Copy32(prefixRoot, input[8..], nameof(prefixRoot));
        _sha256.Hash(input, destination);
    }

    /// <summary>
    /// §11.8: parent.value = Hash(hashContent(left) || hashContent(right)), where hashContent prefixes a leaf's
    /// value with 0x00 and a parent's with 0x01.
    /// </summary>
    public void LogParent(bool leftIsLeaf, ReadOnlySpan<byte> left, bool rightIsLeaf, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[2 + HashSize + HashSize];
        input[0] = leftIsLeaf ? LogLeafType : LogParentType;
        Copy32(left, input[1..], nameof(left));
        input[1 + HashSize] = rightIsLeaf ? LogLeafType : LogParentType;
        Copy32(right, input[(2 + HashSize)..], nameof(right));
        _sha256.Hash(input, destination);
    }

    private static void Copy32(ReadOnlySpan<byte> source, Span<byte> destination, string name)
    {
        if (source.Length != HashSize)
        {
            throw new ArgumentException("A tree value is 32 bytes.", name);
        }

        source.CopyTo(destination);
    }
}
