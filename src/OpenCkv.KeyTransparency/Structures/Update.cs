using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §13.5 <c>LabelValue</c>: <c>struct { opaque value&lt;0..2^32-1&gt;; }</c>.</summary>
public sealed record LabelValue(byte[] Value) : ITlsCodec<LabelValue>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOpaque(Value, UpdateValue.ValueCeiling);
    }

    /// <inheritdoc />
    public static LabelValue Decode(ref TlsReader reader) => new(reader.ReadOpaque(UpdateValue.ValueCeiling).ToArray());

    /// <inheritdoc />
    public bool Equals(LabelValue? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

    /// <inheritdoc />
    public override int GetHashCode() => Value.Length;
}

/// <summary>KT §13.5 <c>UpdateRequest</c>.</summary>
public sealed record UpdateRequest(ulong? Last, byte[] Label, uint? GreatestVersion, IReadOnlyList<LabelValue> Values) : ITlsCodec<UpdateRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOpaque(Label, VrfInput.MaxLabelLength);
        writer.WriteOptionalUInt32(GreatestVersion);

        writer.WriteVector(Values, byte.MaxValue);
    }

    /// <inheritdoc />
    public static UpdateRequest Decode(ref TlsReader reader) => new(
        reader.ReadOptionalUInt64(),
        reader.ReadOpaque(VrfInput.MaxLabelLength).ToArray(),
        reader.ReadOptionalUInt32(),
        reader.ReadVector<LabelValue>(byte.MaxValue, minElementSize: 4));

    /// <inheritdoc />
    public bool Equals(UpdateRequest? other) =>
        other is not null && Last == other.Last && Label.AsSpan().SequenceEqual(other.Label) &&
        GreatestVersion == other.GreatestVersion && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Last, GreatestVersion, Values.Count);
}

/// <summary>KT §13.5 <c>UpdateInfo</c>: a new version's opening and, in third-party management, the operator's signature.</summary>
public sealed record UpdateInfo(byte[] Opening, byte[]? Signature)
{
    /// <summary>Appends the encoding for a log of the given mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(Opening, Crypto.Hashing.CommitmentScheme.OpeningSize);
        if (mode == DeploymentMode.ThirdPartyManagement)
        {
            writer.WriteOpaque(Signature, ushort.MaxValue);
        }
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static UpdateInfo Decode(ref TlsReader reader, DeploymentMode mode) => new(
        reader.ReadFixed(Crypto.Hashing.CommitmentScheme.OpeningSize).ToArray(),
        mode == DeploymentMode.ThirdPartyManagement ? reader.ReadOpaque(ushort.MaxValue).ToArray() : null);

    /// <inheritdoc />
    public bool Equals(UpdateInfo? other) =>
        other is not null && Opening.AsSpan().SequenceEqual(other.Opening) && (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => Opening.Length;
}

/// <summary>KT §13.5 <c>UpdateResponse</c>; <c>skipped_versions</c> exists only in third-party management mode.</summary>
public sealed record UpdateResponse(
    FullTreeHead FullTreeHead,
    ulong Position,
    uint SkippedVersions,
    IReadOnlyList<LabelValue> Values,
    IReadOnlyList<UpdateInfo> Info,
    IReadOnlyList<BinaryLadderStep> BinaryLadder,
    CombinedTreeProof Update)
{
    /// <summary>Appends the encoding for a log of the given mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        FullTreeHead.Encode(writer, mode);
        writer.WriteUInt64(Position);
        if (mode == DeploymentMode.ThirdPartyManagement)
        {
            writer.WriteUInt32(SkippedVersions);
        }

        writer.WriteVector(Values, byte.MaxValue);
        writer.WriteVectorCount(Info.Count, byte.MaxValue);
        foreach (UpdateInfo info in Info)
        {
            info.Encode(writer, mode);
        }

        writer.WriteVector(BinaryLadder, byte.MaxValue);
        Update.Encode(writer);
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static UpdateResponse Decode(ref TlsReader reader, DeploymentMode mode)
    {
        FullTreeHead head = FullTreeHead.Decode(ref reader, mode);
        ulong position = reader.ReadUInt64();
        uint skipped = mode == DeploymentMode.ThirdPartyManagement ? reader.ReadUInt32() : 0;
        LabelValue[] values = reader.ReadVector<LabelValue>(byte.MaxValue, minElementSize: 4);
        int count = reader.ReadVectorCount(byte.MaxValue, minElementSize: Crypto.Hashing.CommitmentScheme.OpeningSize);
        var info = new UpdateInfo[count];
        for (int i = 0; i < count; i++)
        {
            info[i] = UpdateInfo.Decode(ref reader, mode);
        }

        BinaryLadderStep[] ladder = reader.ReadVector<BinaryLadderStep>(byte.MaxValue, minElementSize: BinaryLadderStep.ProofSize + 1);
        return new UpdateResponse(head, position, skipped, values, info, ladder, CombinedTreeProof.Decode(ref reader));
    }
}
