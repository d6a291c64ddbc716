using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §11.2 <c>TreeHead</c>: the log size and the operator's signature over <see cref="ToBeSigned"/>.</summary>
public sealed record TreeHead(ulong TreeSize, byte[] Signature) : ITlsCodec<TreeHead>
{
    /// <summary>The ceiling of <c>signature&lt;0..2^16-1&gt;</c>.</summary>
    public const ulong SignatureCeiling = ushort.MaxValue;

    /// <summary>
    /// KT §11.2 <c>TreeHeadTBS</c>: <c>struct { Configuration config; uint64 tree_size; opaque root[Hash.Nh]; }</c>.
    /// </summary>
    public static byte[] ToBeSigned(Configuration config, ulong treeSize, Hash32 root)
    {
        ArgumentNullException.ThrowIfNull(config);
        var writer = new TlsWriter();
        config.Encode(writer);              // config
        writer.WriteUInt64(treeSize);        // tree_size
        TlsHash.Write(writer, root);         // root
        return writer.ToArray();
    }

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt64(TreeSize);
        writer.WriteOpaque(Signature, SignatureCeiling);
    }

    /// <inheritdoc />
    public static TreeHead Decode(ref TlsReader reader) =>
        new(reader.ReadUInt64(), reader.ReadOpaque(SignatureCeiling).ToArray());

    /// <inheritdoc />
    public bool Equals(TreeHead? other) => other is not null && TreeSize == other.TreeSize && Signature.AsSpan().SequenceEqual(other.Signature);

    /// <inheritdoc />
    public override int GetHashCode() => TreeSize.GetHashCode();
}

/// <summary>KT §11.3 <c>AuditorTreeHead</c>: the auditor's view, signed over <see cref="ToBeSigned"/>.</summary>
public sealed record AuditorTreeHead(ulong Timestamp, ulong TreeSize, byte[] Signature) : ITlsCodec<AuditorTreeHead>
{
    /// <summary>
    /// KT §11.3 <c>AuditorTreeHeadTBS</c>:
    /// <c>struct { Configuration config; uint64 timestamp; uint64 tree_size; opaque root[Hash.Nh]; }</c>.
    /// </summary>
    public static byte[] ToBeSigned(Configuration config, ulong timestamp, ulong treeSize, Hash32 root)
    {
        ArgumentNullException.ThrowIfNull(config);
        var writer = new TlsWriter();
        config.Encode(writer);              // config
        writer.WriteUInt64(timestamp);       // timestamp
        writer.WriteUInt64(treeSize);        // tree_size
        TlsHash.Write(writer, root);         // root
        return writer.ToArray();
    }

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt64(Timestamp);
        writer.WriteUInt64(TreeSize);
        writer.WriteOpaque(Signature, TreeHead.SignatureCeiling);
    }

    /// <inheritdoc />
    public static AuditorTreeHead Decode(ref TlsReader reader) =>
        new(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadOpaque(TreeHead.SignatureCeiling).ToArray());

    /// <inheritdoc />
    public bool Equals(AuditorTreeHead? other) =>
        other is not null && Timestamp == other.Timestamp && TreeSize == other.TreeSize && Signature.AsSpan().SequenceEqual(other.Signature);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Timestamp, TreeSize);
}

/// <summary>KT §11.4 <c>FullTreeHeadType</c>.</summary>
public enum FullTreeHeadType : byte
{
    /// <summary>The user's advertised tree head still stands.</summary>
    Same = 1,

    /// <summary>A newer tree head follows.</summary>
    Updated = 2,
}

/// <summary>
/// KT §11.4 <c>FullTreeHead</c>: <c>same</c>, or <c>updated</c> with a tree head and, in third-party auditing
/// mode, the auditor's tree head. Its layout depends on the deployment mode, so it is decoded with that mode.
/// </summary>
public sealed record FullTreeHead(FullTreeHeadType HeadType, TreeHead? TreeHead, AuditorTreeHead? AuditorTreeHead)
{
    /// <summary>The head that says "nothing new".</summary>
    public static FullTreeHead Same { get; } = new(FullTreeHeadType.Same, null, null);

    /// <summary>Appends the encoding; the auditor head is written exactly in third-party auditing mode.</summary>
    public void Encode(TlsWriter writer, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)HeadType);
        if (HeadType == FullTreeHeadType.Updated)
        {
            (TreeHead ?? throw new InvalidOperationException("An updated head needs a tree head.")).Encode(writer);
            if (mode == DeploymentMode.ThirdPartyAuditing)
            {
                (AuditorTreeHead ?? throw new InvalidOperationException("Third-party auditing needs an auditor head.")).Encode(writer);
            }
        }
    }

    /// <summary>Reads one value for a log of the given mode.</summary>
    public static FullTreeHead Decode(ref TlsReader reader, DeploymentMode mode)
    {
        var type = (FullTreeHeadType)reader.ReadEnum8(v => v is 1 or 2, nameof(FullTreeHeadType));
        if (type == FullTreeHeadType.Same)
        {
            return Same;
        }

        TreeHead head = TreeHead.Decode(ref reader);
        AuditorTreeHead? auditor = mode == DeploymentMode.ThirdPartyAuditing ? AuditorTreeHead.Decode(ref reader) : null;
        return new FullTreeHead(type, head, auditor);
    }
}
