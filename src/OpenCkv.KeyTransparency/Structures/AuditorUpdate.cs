using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>
/// KT §15.2 <c>AuditorUpdate</c>: what one log entry changed in the prefix tree — its timestamp, the leaves added
/// and removed (each ascending by VRF output), and a batch lookup proof in the previous entry's prefix tree for all
/// of their keys, added first. The proof's results are at most 255 (<c>results&lt;0..2^8-1&gt;</c>), which bounds
/// the leaves one audited entry can change.
/// </summary>
public sealed record AuditorUpdate(ulong Timestamp, IReadOnlyList<PrefixLeaf> Added, IReadOnlyList<PrefixLeaf> Removed, PrefixProof Proof)
    : ITlsCodec<AuditorUpdate>
{
    /// <summary>The ceiling of <c>added&lt;0..2^16-1&gt;</c> and <c>removed</c>.</summary>
    public const int MaxLeaves = ushort.MaxValue;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt64(Timestamp);
        writer.WriteVector(Added, MaxLeaves);
        writer.WriteVector(Removed, MaxLeaves);
        Proof.Encode(writer);
    }

    /// <inheritdoc />
    public static AuditorUpdate Decode(ref TlsReader reader) => new(
        reader.ReadUInt64(),
        reader.ReadVector<PrefixLeaf>(MaxLeaves, minElementSize: 2 * Hash32.Size),
        reader.ReadVector<PrefixLeaf>(MaxLeaves, minElementSize: 2 * Hash32.Size),
        PrefixProof.Decode(ref reader));

    /// <inheritdoc />
    public bool Equals(AuditorUpdate? other) =>
        other is not null && Timestamp == other.Timestamp && Added.SequenceEqual(other.Added) &&
        Removed.SequenceEqual(other.Removed) && Proof.Equals(other.Proof);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Timestamp, Added.Count, Removed.Count);
}
