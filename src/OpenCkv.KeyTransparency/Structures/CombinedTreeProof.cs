using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §12.1 <c>InclusionProof</c>: balanced subtree heads of the log tree, left to right.</summary>
public sealed record InclusionProof(IReadOnlyList<Hash32> Elements) : ITlsCodec<InclusionProof>
{
    /// <summary>The ceiling of <c>elements&lt;0..2^16-1&gt;</c>.</summary>
    public const ulong MaxElements = ushort.MaxValue;

    /// <inheritdoc />
    public void Encode(TlsWriter writer) => TlsHash.WriteVector(writer, Elements, MaxElements);

    /// <inheritdoc />
    public static InclusionProof Decode(ref TlsReader reader) => new(TlsHash.ReadVector(ref reader, MaxElements));

    /// <inheritdoc />
    public bool Equals(InclusionProof? other) => other is not null && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc />
    public override int GetHashCode() => Elements.Count;
}

/// <summary>
/// KT §12.3 <c>CombinedTreeProof</c>: timestamps and prefix proofs in the order the algorithm asks for them, the
/// prefix roots of entries that had a timestamp but no prefix proof, and one batched log-tree proof.
/// </summary>
public sealed record CombinedTreeProof(
    IReadOnlyList<ulong> Timestamps,
    IReadOnlyList<PrefixProof> PrefixProofs,
    IReadOnlyList<Hash32> PrefixRoots,
    InclusionProof Inclusion) : ITlsCodec<CombinedTreeProof>
{
    /// <summary>The ceiling of each of the first three vectors (<c>&lt;0..2^8-1&gt;</c>).</summary>
    public const int MaxItems = byte.MaxValue;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVectorCount(Timestamps.Count, MaxItems);
        foreach (ulong timestamp in Timestamps)
        {
            writer.WriteUInt64(timestamp);
        }

        writer.WriteVector(PrefixProofs, MaxItems);
        TlsHash.WriteVector(writer, PrefixRoots, MaxItems);
        Inclusion.Encode(writer);
    }

    /// <inheritdoc />
    public static CombinedTreeProof Decode(ref TlsReader reader)
    {
        int count = reader.ReadVectorCount(MaxItems, minElementSize: 8);
        var timestamps = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            timestamps[i] = reader.ReadUInt64();
        }

        PrefixProof[] prefixProofs = reader.ReadVector<PrefixProof>(MaxItems, minElementSize: 3);
        Hash32[] prefixRoots = TlsHash.ReadVector(ref reader, MaxItems);
        return new CombinedTreeProof(timestamps, prefixProofs, prefixRoots, InclusionProof.Decode(ref reader));
    }

    /// <inheritdoc />
    public bool Equals(CombinedTreeProof? other) =>
        other is not null &&
        Timestamps.SequenceEqual(other.Timestamps) &&
        PrefixProofs.SequenceEqual(other.PrefixProofs) &&
        PrefixRoots.SequenceEqual(other.PrefixRoots) &&
        Inclusion.Equals(other.Inclusion);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Timestamps.Count, PrefixProofs.Count, PrefixRoots.Count);
}
