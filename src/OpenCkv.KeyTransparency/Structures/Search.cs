using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §11.5 <c>UpdateValue</c>: the value, and in third-party management mode the operator's signature.</summary>
public sealed record UpdateValue(byte[] Value, byte[]? Signature)
{
    /// <summary>The ceiling of <c>value&lt;0..2^32-1&gt;</c>.</summary>
    public const ulong ValueCeiling = uint.MaxValue;

    /// <summary>The encoded <c>UpdateSuffix</c> (empty outside third-party management).</summary>
    public byte[] EncodedSuffix(DeploymentMode mode)
    {
        if (mode != DeploymentMode.ThirdPartyManagement)
        {
            return [];
        }

        var writer = new TlsWriter();
        writer.WriteOpaque(Signature ?? throw new InvalidOperationException("Third-party management needs a signature."), ushort.MaxValue);
        return writer.ToArray();
    }

    /// <summary>Appends the encoding for a log of the given mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOpaque(Value, ValueCeiling);
        if (mode == DeploymentMode.ThirdPartyManagement)
        {
            writer.WriteOpaque(Signature, ushort.MaxValue);
        }
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static UpdateValue Decode(ref TlsReader reader, DeploymentMode mode)
    {
        byte[] value = reader.ReadOpaque(ValueCeiling).ToArray();
        byte[]? signature = mode == DeploymentMode.ThirdPartyManagement ? reader.ReadOpaque(ushort.MaxValue).ToArray() : null;
        return new UpdateValue(value, signature);
    }

    /// <inheritdoc />
    public bool Equals(UpdateValue? other) =>
        other is not null && Value.AsSpan().SequenceEqual(other.Value) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => Value.Length;
}

/// <summary>KT §13.1 <c>BinaryLadderStep</c>: a version's VRF proof and, when it exists and is not the target, its commitment.</summary>
public sealed record BinaryLadderStep(byte[] Proof, Hash32? Commitment) : ITlsCodec<BinaryLadderStep>
{
    /// <summary>VRF.Np for KT_128_SHA256_P256.</summary>
    public const int ProofSize = Crypto.Vrf.EcVrfP256.ProofSize;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(Proof, ProofSize);
        writer.WritePresence(Commitment.HasValue);
        if (Commitment is { } commitment)
        {
            TlsHash.Write(writer, commitment);
        }
    }

    /// <inheritdoc />
    public static BinaryLadderStep Decode(ref TlsReader reader)
    {
        byte[] proof = reader.ReadFixed(ProofSize).ToArray();
        Hash32? commitment = reader.ReadPresence() ? TlsHash.Read(ref reader) : null;
        return new BinaryLadderStep(proof, commitment);
    }

    /// <inheritdoc />
    public bool Equals(BinaryLadderStep? other) =>
        other is not null && Proof.AsSpan().SequenceEqual(other.Proof) && Commitment.Equals(other.Commitment);

    /// <inheritdoc />
    public override int GetHashCode() => Commitment.GetHashCode();
}

/// <summary>KT §13.1 <c>SearchRequest</c>.</summary>
public sealed record SearchRequest(ulong? Last, byte[] Label, uint? Version) : ITlsCodec<SearchRequest>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOptionalUInt64(Last);
        writer.WriteOpaque(Label, VrfInput.MaxLabelLength);
        writer.WriteOptionalUInt32(Version);
    }

    /// <inheritdoc />
    public static SearchRequest Decode(ref TlsReader reader)
    {
        ulong? last = reader.ReadOptionalUInt64();
        byte[] label = reader.ReadOpaque(VrfInput.MaxLabelLength).ToArray();
        uint? version = reader.ReadOptionalUInt32();
        return new SearchRequest(last, label, version);
    }

    /// <inheritdoc />
    public bool Equals(SearchRequest? other) =>
        other is not null && Last == other.Last && Label.AsSpan().SequenceEqual(other.Label) && Version == other.Version;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Last, Version, Label.Length);
}

/// <summary>
/// KT §13.1 <c>SearchResponse</c>. Its layout depends on the request (the greatest version is sent only when no
/// version was asked for) and the mode, so it is encoded and decoded with both.
/// </summary>
public sealed record SearchResponse(
    FullTreeHead FullTreeHead,
    uint? Version,
    byte[] Opening,
    UpdateValue Value,
    IReadOnlyList<BinaryLadderStep> BinaryLadder,
    CombinedTreeProof Search)
{
    /// <summary>Appends the encoding.</summary>
    public void Encode(TlsWriter writer, bool versionRequested, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        FullTreeHead.Encode(writer, mode);
        if (!versionRequested)
        {
            writer.WriteUInt32(Version ?? throw new InvalidOperationException("A greatest-version response carries the version."));
        }

        writer.WriteFixed(Opening, Crypto.Hashing.CommitmentScheme.OpeningSize);
        Value.Encode(writer, mode);
        writer.WriteVector(BinaryLadder, byte.MaxValue);
        Search.Encode(writer);
    }

    /// <summary>Decodes a whole buffer holding exactly one response and nothing after it.</summary>
    public static SearchResponse Decode(ReadOnlySpan<byte> encoded, bool versionRequested, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded);
        SearchResponse response = Decode(ref reader, versionRequested, mode);
        reader.EnsureEnd();
        return response;
    }

    /// <summary>Reads a response to a request that did or did not name a version.</summary>
    public static SearchResponse Decode(ref TlsReader reader, bool versionRequested, DeploymentMode mode)
    {
        FullTreeHead head = FullTreeHead.Decode(ref reader, mode);
        uint? version = versionRequested ? null : reader.ReadUInt32();
        byte[] opening = reader.ReadFixed(Crypto.Hashing.CommitmentScheme.OpeningSize).ToArray();
        UpdateValue value = UpdateValue.Decode(ref reader, mode);
        BinaryLadderStep[] ladder = reader.ReadVector<BinaryLadderStep>(byte.MaxValue, minElementSize: BinaryLadderStep.ProofSize + 1);
        return new SearchResponse(head, version, opening, value, ladder, CombinedTreeProof.Decode(ref reader));
    }
}
