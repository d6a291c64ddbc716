using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §13.2 <c>MonitorMapEntry</c>: a monitored version and the entry it was last checked at.</summary>
public sealed record MonitorMapEntry(ulong Position, uint Version) : ITlsCodec<MonitorMapEntry>
{
    /// <summary>Encoded size.</summary>
    public const int EncodedSize = 12;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt64(Position);
        writer.WriteUInt32(Version);
    }

    /// <inheritdoc />
    public static MonitorMapEntry Decode(ref TlsReader reader) => new(reader.ReadUInt64(), reader.ReadUInt32());
}

/// <summary>KT §13.2 <c>ContactMonitorRequest</c>.</summary>
public sealed record ContactMonitorRequest(ulong? Last, byte[] Label, IReadOnlyList<MonitorMapEntry> Entries) : ITlsCodec<ContactMonitorRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOpaque(Label, VrfInput.MaxLabelLength);
        writer.WriteVector(Entries, byte.MaxValue);
    }

    /// <inheritdoc />
    public static ContactMonitorRequest Decode(ref TlsReader reader) => new(
        reader.ReadOptionalUInt64(),
        reader.ReadOpaque(VrfInput.MaxLabelLength).ToArray(),
        reader.ReadVector<MonitorMapEntry>(byte.MaxValue, minElementSize: MonitorMapEntry.EncodedSize));

    /// <inheritdoc />
    public bool Equals(ContactMonitorRequest? other) =>
        other is not null && Last == other.Last && Label.AsSpan().SequenceEqual(other.Label) && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Last, Entries.Count);
}

/// <summary>
/// A response that is a full tree head and one combined proof: KT §13.2 <c>ContactMonitorResponse</c>, §13.4
/// <c>OwnerMonitorResponse</c> and §13.6 <c>DistinguishedResponse</c> share this layout.
/// </summary>
public sealed record HeadAndProofResponse(FullTreeHead FullTreeHead, CombinedTreeProof Proof)
{
    /// <summary>Appends the encoding for a log of the given mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        FullTreeHead.Encode(writer, mode);
        Proof.Encode(writer);
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static HeadAndProofResponse Decode(ref TlsReader reader, DeploymentMode mode) =>
        new(FullTreeHead.Decode(ref reader, mode), CombinedTreeProof.Decode(ref reader));
}

/// <summary>KT §13.3 <c>OwnerInitRequest</c>.</summary>
public sealed record OwnerInitRequest(ulong? Last, byte[] Label, ulong Start) : ITlsCodec<OwnerInitRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOpaque(Label, VrfInput.MaxLabelLength);
        writer.WriteUInt64(Start);
    }

    /// <inheritdoc />
    public static OwnerInitRequest Decode(ref TlsReader reader) =>
        new(reader.ReadOptionalUInt64(), reader.ReadOpaque(VrfInput.MaxLabelLength).ToArray(), reader.ReadUInt64());

    /// <inheritdoc />
    public bool Equals(OwnerInitRequest? other) =>
        other is not null && Last == other.Last && Label.AsSpan().SequenceEqual(other.Label) && Start == other.Start;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Last, Start);
}

/// <summary>KT §13.3 <c>OwnerInitResponse</c>.</summary>
public sealed record OwnerInitResponse(
    FullTreeHead FullTreeHead, IReadOnlyList<uint> GreatestVersions, IReadOnlyList<BinaryLadderStep> BinaryLadder, CombinedTreeProof Init)
{
    /// <summary>Appends the encoding for a log of the given mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        FullTreeHead.Encode(writer, mode);
        writer.WriteVectorCount(GreatestVersions.Count, byte.MaxValue);
        foreach (uint version in GreatestVersions)
        {
            writer.WriteUInt32(version);
        }

        writer.WriteVector(BinaryLadder, ushort.MaxValue);
        Init.Encode(writer);
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static OwnerInitResponse Decode(ref TlsReader reader, DeploymentMode mode)
    {
        FullTreeHead head = FullTreeHead.Decode(ref reader, mode);
        int count = reader.ReadVectorCount(byte.MaxValue, minElementSize: 4);
        var versions = new uint[count];
        for (int i = 0; i < count; i++)
        {
            versions[i] = reader.ReadUInt32();
        }

        BinaryLadderStep[] ladder = reader.ReadVector<BinaryLadderStep>(ushort.MaxValue, minElementSize: BinaryLadderStep.ProofSize + 1);
        return new OwnerInitResponse(head, versions, ladder, CombinedTreeProof.Decode(ref reader));
    }
}

/// <summary>KT §13.4 <c>OwnerMonitorRequest</c>.</summary>
public sealed record OwnerMonitorRequest(
    ulong? Last, byte[] Label, IReadOnlyList<MonitorMapEntry> Entries, ulong Start, uint? GreatestVersion) : ITlsCodec<OwnerMonitorRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOpaque(Label, VrfInput.MaxLabelLength);
        writer.WriteVector(Entries, byte.MaxValue);
        writer.WriteUInt64(Start);
        writer.WriteOptionalUInt32(GreatestVersion);
    }

    /// <inheritdoc />
    public static OwnerMonitorRequest Decode(ref TlsReader reader) => new(
        reader.ReadOptionalUInt64(),
        reader.ReadOpaque(VrfInput.MaxLabelLength).ToArray(),
        reader.ReadVector<MonitorMapEntry>(byte.MaxValue, minElementSize: MonitorMapEntry.EncodedSize),
        reader.ReadUInt64(),
        reader.ReadOptionalUInt32());

    /// <inheritdoc />
    public bool Equals(OwnerMonitorRequest? other) =>
        other is not null && Last == other.Last && Label.AsSpan().SequenceEqual(other.Label) &&
        Entries.SequenceEqual(other.Entries) && Start == other.Start && GreatestVersion == other.GreatestVersion;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Last, Start, GreatestVersion);
}

/// <summary>KT §13.6 <c>DistinguishedRequest</c>.</summary>
public sealed record DistinguishedRequest(ulong? Last, ulong? Stop) : ITlsCodec<DistinguishedRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOptionalUInt64(Stop);
    }

    /// <inheritdoc />
    public static DistinguishedRequest Decode(ref TlsReader reader) => new(reader.ReadOptionalUInt64(), reader.ReadOptionalUInt64());
}
