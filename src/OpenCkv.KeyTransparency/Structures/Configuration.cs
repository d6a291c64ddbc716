using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>KT §11.2 <c>DeploymentMode</c>.</summary>
public enum DeploymentMode : byte
{
    /// <summary>Users monitor the labels they looked up.</summary>
    ContactMonitoring = 1,

    /// <summary>A third party signs every change (§15.1).</summary>
    ThirdPartyManagement = 2,

    /// <summary>A third party audits every entry and signs its view (§15.2).</summary>
    ThirdPartyAuditing = 3,
}

/// <summary>
/// KT §11.2 <c>Configuration</c>: the log's long-term parameters, fixed for the life of the log and signed into
/// every tree head. Durations are milliseconds.
/// </summary>
public sealed record Configuration : ITlsCodec<Configuration>
{
    private const ulong KeyCeiling = ushort.MaxValue;

    /// <summary>KT §17.1 cipher suite; OpenCKV implements 0x0001 KT_128_SHA256_P256.</summary>
    public ushort CipherSuite { get; init; } = Crypto.CryptoSuite.CipherSuiteValue;

    /// <summary>The deployment mode.</summary>
    public required DeploymentMode Mode { get; init; }

    /// <summary>The key that verifies tree-head signatures (SEC1 uncompressed P-256).</summary>
    public required byte[] SignaturePublicKey { get; init; }

    /// <summary>The VRF public key (SEC1 compressed P-256).</summary>
    public required byte[] VrfPublicKey { get; init; }

    /// <summary>Third-party management only: the key that verifies update signatures.</summary>
    public byte[]? LeafPublicKey { get; init; }

    /// <summary>Third-party auditing only: how far the auditor may lag behind the rightmost entry.</summary>
    public ulong MaxAuditorLag { get; init; }

    /// <summary>Third-party auditing only: the first position the auditor processed.</summary>
    public ulong AuditorStartPosition { get; init; }

    /// <summary>Third-party auditing only: the key that verifies auditor tree-head signatures.</summary>
    public byte[]? AuditorPublicKey { get; init; }

    /// <summary>How far a tree head's rightmost timestamp may be ahead of the user's clock.</summary>
    public required ulong MaxAhead { get; init; }

    /// <summary>How far a tree head's rightmost timestamp may be behind the user's clock.</summary>
    public required ulong MaxBehind { get; init; }

    /// <summary>The reasonable monitoring window (§6.1).</summary>
    public required ulong ReasonableMonitoringWindow { get; init; }

    /// <summary>The maximum lifetime of log entries (§7.1), when the log defines one.</summary>
    public ulong? MaximumLifetime { get; init; }

    /// <summary>Checks the relations the draft requires between the fields.</summary>
    /// <exception cref="ArgumentException">A mode-specific key is missing or present where it must not be, or the
    /// maximum lifetime is not greater than zero and the monitoring window (§7.1).</exception>
    public Configuration Validated()
    {
        if ((Mode == DeploymentMode.ThirdPartyManagement) != (LeafPublicKey is not null))
        {
            throw new ArgumentException("A leaf public key is present exactly in third-party management mode.");
        }

        if ((Mode == DeploymentMode.ThirdPartyAuditing) != (AuditorPublicKey is not null))
        {
            throw new ArgumentException("An auditor public key is present exactly in third-party auditing mode.");
        }

        if (MaximumLifetime is { } lifetime && (lifetime == 0 || lifetime <= ReasonableMonitoringWindow))
        {
            throw new ArgumentException("The maximum lifetime must be greater than zero and than the monitoring window.");
        }

        return this;
    }

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16(CipherSuite);
        writer.WriteUInt8((byte)Mode);
        writer.WriteOpaque(SignaturePublicKey, KeyCeiling);
        writer.WriteOpaque(VrfPublicKey, KeyCeiling);
        switch (Mode)
        {
            case DeploymentMode.ThirdPartyManagement:
                writer.WriteOpaque(LeafPublicKey, KeyCeiling);
                break;
            case DeploymentMode.ThirdPartyAuditing:
                writer.WriteUInt64(MaxAuditorLag);
                writer.WriteUInt64(AuditorStartPosition);
                writer.WriteOpaque(AuditorPublicKey, KeyCeiling);
                break;
        }

        writer.WriteUInt64(MaxAhead);
        writer.WriteUInt64(MaxBehind);
        writer.WriteUInt64(ReasonableMonitoringWindow);
        writer.WriteOptionalUInt64(MaximumLifetime);
    }

    /// <inheritdoc />
    public static Configuration Decode(ref TlsReader reader)
    {
        ushort suite = reader.ReadEnum16(v => v == Crypto.CryptoSuite.CipherSuiteValue, "CipherSuite");
        var mode = (DeploymentMode)reader.ReadEnum8(v => v is >= 1 and <= 3, nameof(DeploymentMode));
        byte[] signatureKey = reader.ReadOpaque(KeyCeiling).ToArray();
        byte[] vrfKey = reader.ReadOpaque(KeyCeiling).ToArray();
        byte[]? leafKey = null, auditorKey = null;
        ulong lag = 0, start = 0;
        if (mode == DeploymentMode.ThirdPartyManagement)
        {
            leafKey = reader.ReadOpaque(KeyCeiling).ToArray();
        }
        else if (mode == DeploymentMode.ThirdPartyAuditing)
        {
            lag = reader.ReadUInt64();
            start = reader.ReadUInt64();
            auditorKey = reader.ReadOpaque(KeyCeiling).ToArray();
        }

        return new Configuration
        {
            CipherSuite = suite,
            Mode = mode,
            SignaturePublicKey = signatureKey,
            VrfPublicKey = vrfKey,
            LeafPublicKey = leafKey,
            MaxAuditorLag = lag,
            AuditorStartPosition = start,
            AuditorPublicKey = auditorKey,
            MaxAhead = reader.ReadUInt64(),
            MaxBehind = reader.ReadUInt64(),
            ReasonableMonitoringWindow = reader.ReadUInt64(),
            MaximumLifetime = reader.ReadOptionalUInt64(),
        };
    }

    /// <summary>SHA-256 of the encoding: the fingerprint clients pin (DESIGN §3).</summary>
    public Hash32 Fingerprint() => Hash32.From(System.Security.Cryptography.SHA256.HashData(TlsCodec.Encode(this)));

    /// <inheritdoc />
    public bool Equals(Configuration? other) =>
        other is not null && TlsCodec.Encode(this).AsSpan().SequenceEqual(TlsCodec.Encode(other));

    /// <inheritdoc />
    public override int GetHashCode() => Fingerprint().GetHashCode();
}
