using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §12.2 <c>PrefixSearchResultType</c>: how the search for one key ended.</summary>
public enum PrefixSearchResultType : byte
{
    /// <summary>A leaf for the requested key.</summary>
    Inclusion = 1,

    /// <summary>A leaf for a different key, which the result carries.</summary>
    NonInclusionLeaf = 2,

    /// <summary>The stand-in of a missing child of a parent.</summary>
    NonInclusionParent = 3,
}

/// <summary>KT §12.2 <c>PrefixLeaf</c>: <c>struct { opaque vrf_output[VRF.Nh]; opaque commitment[Hash.Nh]; }</c>.</summary>
public sealed record PrefixLeaf(Hash32 VrfOutput, Hash32 Commitment) : ITlsCodec<PrefixLeaf>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TlsHash.Write(writer, VrfOutput);
        TlsHash.Write(writer, Commitment);
    }

    /// <inheritdoc />
    public static PrefixLeaf Decode(ref TlsReader reader) => new(TlsHash.Read(ref reader), TlsHash.Read(ref reader));
}

/// <summary>
/// KT §12.2 <c>PrefixSearchResult</c>: the terminal node of one search and its depth (for
/// <see cref="PrefixSearchResultType.NonInclusionParent"/>, the depth of the missing child).
/// </summary>
public sealed record PrefixSearchResult(PrefixSearchResultType ResultType, PrefixLeaf? Leaf, byte Depth) : ITlsCodec<PrefixSearchResult>
{
    /// <summary>A result with its invariant checked: a leaf is carried exactly for non-inclusion at a leaf.</summary>
    public static PrefixSearchResult Create(PrefixSearchResultType type, PrefixLeaf? leaf, byte depth) =>
        (type == PrefixSearchResultType.NonInclusionLeaf) == (leaf is not null)
            ? new PrefixSearchResult(type, leaf, depth)
            : throw new ArgumentException("Only a nonInclusionLeaf result carries a leaf.", nameof(leaf));

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)ResultType);
        if (ResultType == PrefixSearchResultType.NonInclusionLeaf)
        {
            Leaf!.Encode(writer);
        }

        writer.WriteUInt8(Depth);
    }

    /// <inheritdoc />
    public static PrefixSearchResult Decode(ref TlsReader reader)
    {
        var type = (PrefixSearchResultType)reader.ReadEnum8(v => v is >= 1 and <= 3, nameof(PrefixSearchResultType));
        PrefixLeaf? leaf = type == PrefixSearchResultType.NonInclusionLeaf ? PrefixLeaf.Decode(ref reader) : null;
        return new PrefixSearchResult(type, leaf, reader.ReadUInt8());
    }
}

/// <summary>
/// KT §12.2 <c>PrefixProof</c>: one result per looked-up key, in request order, and the copath values (left to
/// right, 32 zero bytes for a missing node) that hash together with them to the prefix tree's root.
/// </summary>
public sealed record PrefixProof(IReadOnlyList<PrefixSearchResult> Results, IReadOnlyList<Hash32> Elements) : ITlsCodec<PrefixProof>
{
    /// <summary>The ceiling of <c>results&lt;0..2^8-1&gt;</c>.</summary>
    public const int MaxResults = byte.MaxValue;

    /// <summary>The ceiling of <c>elements&lt;0..2^16-1&gt;</c>.</summary>
    public const int MaxElements = ushort.MaxValue;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(Results, MaxResults);
        TlsHash.WriteVector(writer, Elements, MaxElements);
    }

    /// <inheritdoc />
    public static PrefixProof Decode(ref TlsReader reader)
    {
        PrefixSearchResult[] results = reader.ReadVector<PrefixSearchResult>(MaxResults, minElementSize: 2);
        Hash32[] elements = TlsHash.ReadVector(ref reader, MaxElements);
        return new PrefixProof(results, elements);
    }

    /// <inheritdoc />
    public bool Equals(PrefixProof? other) =>
        other is not null && Results.SequenceEqual(other.Results) && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Results.Count, Elements.Count);
}
