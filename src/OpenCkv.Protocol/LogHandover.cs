using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>Why a handover statement was refused.</summary>
public enum HandoverFailure
{
    /// <summary>The bytes are not a handover statement (lengths, trailing bytes, an unparseable configuration).</summary>
    Malformed,

    /// <summary>The statement names another old log than the one the client pins.</summary>
    OtherLog,

    /// <summary>The old log's signing key did not sign it.</summary>
    BadSignature,

    /// <summary>It hands the log over to itself.</summary>
    SameLog,
}

/// <summary>A handover statement that failed a check, and why.</summary>
public sealed class HandoverException(HandoverFailure failure, string message) : Exception(message)
{
    /// <summary>Which check failed.</summary>
    public HandoverFailure Failure { get; } = failure;
}

/// <summary>
/// A log's last word (docs/ckv-protocol.md §9): signed with the old log's tree-head key, it names the old log by its
/// configuration's fingerprint, fixes its final tree size and root, and gives the new log's whole configuration.
/// This is the architecture draft's immediate migration ("Combining Logs"): clients finish monitoring the old log up
/// to the final head, then pin the new configuration; the statement is how the final size and root reach them over
/// a channel they already trust — the old log's own key.
/// </summary>
public sealed record LogHandover(byte[] OldFingerprint, ulong FinalTreeSize, byte[] FinalRoot, byte[] NewConfiguration, ulong TimestampMs, byte[] Signature)
{
    /// <summary>The largest encoded new configuration accepted.</summary>
    public const int MaxConfigurationSize = ushort.MaxValue;

    /// <summary>The new log's configuration, parsed.</summary>
    public Configuration New => TlsCodec.Decode<Configuration>(NewConfiguration);

    /// <summary>The bytes the old log's key signs: the context string, then every field but the signature.</summary>
    public static byte[] ToBeSigned(byte[] oldFingerprint, ulong finalTreeSize, byte[] finalRoot, byte[] newConfiguration, ulong timestampMs)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.LogHandover), byte.MaxValue);
        WriteFields(writer, oldFingerprint, finalTreeSize, finalRoot, newConfiguration, timestampMs);
        return writer.ToArray();
    }

    /// <summary>Signs a handover from the log of <paramref name="old"/> (whose key is <paramref name="oldKey"/>) to <paramref name="next"/>.</summary>
    /// <exception cref="ArgumentException">The key is not the old configuration's, or the new configuration is the old one.</exception>
    public static LogHandover Create(Configuration old, EcdsaP256PrivateKey oldKey, ulong finalTreeSize, Hash32 finalRoot, Configuration next, ulong timestampMs)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(oldKey);
        ArgumentNullException.ThrowIfNull(next);
        if (!oldKey.PublicKey.Encoded.SequenceEqual(old.SignaturePublicKey))
        {
            throw new ArgumentException("The handover is signed with the old log's own tree-head key.", nameof(oldKey));
        }

        if (old.Fingerprint() == next.Fingerprint())
        {
            throw new ArgumentException("A log is not handed over to itself.", nameof(next));
        }

        byte[] fingerprint = old.Fingerprint().ToArray();
        byte[] root = finalRoot.ToArray();
        byte[] configuration = TlsCodec.Encode(next);
        byte[] signature = oldKey.Sign(ToBeSigned(fingerprint, finalTreeSize, root, configuration, timestampMs));
        return new LogHandover(fingerprint, finalTreeSize, root, configuration, timestampMs, signature);
    }

    /// <summary>The statement's encoding: the signed fields, then the signature.</summary>
    public byte[] Encode()
    {
        var writer = new TlsWriter();
        WriteFields(writer, OldFingerprint, FinalTreeSize, FinalRoot, NewConfiguration, TimestampMs);
        writer.WriteFixed(Signature, Device.SignatureSize);
        return writer.ToArray();
    }

    /// <summary>
    /// Parses <paramref name="encoded"/> strictly and checks it against the configuration the client pins: it must
    /// name that log, carry its key's signature, and name a valid, different new configuration.
    /// </summary>
    /// <exception cref="HandoverException">Any check failed.</exception>
    public static LogHandover Verify(Configuration pinned, byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        ArgumentNullException.ThrowIfNull(encoded);
        LogHandover statement;
        Configuration next;
        try
        {
            var reader = new TlsReader(encoded);
            statement = new LogHandover(
                reader.ReadFixed(Hash32.Size).ToArray(),
                reader.ReadUInt64(),
                reader.ReadFixed(Hash32.Size).ToArray(),
                reader.ReadOpaque(MaxConfigurationSize, 1).ToArray(),
                reader.ReadUInt64(),
                reader.ReadFixed(Device.SignatureSize).ToArray());
            reader.EnsureEnd();
            next = statement.New.Validated();
        }
        catch (Exception e) when (e is KtFormatException or ArgumentException)
        {
            throw new HandoverException(HandoverFailure.Malformed, $"not a handover statement: {e.Message}");
        }

        if (!statement.OldFingerprint.AsSpan().SequenceEqual(pinned.Fingerprint().Span))
        {
            throw new HandoverException(HandoverFailure.OtherLog, "the statement hands over another log than the one pinned");
        }

        byte[] signed = ToBeSigned(statement.OldFingerprint, statement.FinalTreeSize, statement.FinalRoot, statement.NewConfiguration, statement.TimestampMs);
        if (!EcdsaP256PublicKey.TryGetShared(pinned.SignaturePublicKey, out EcdsaP256PublicKey? key) || !key.Verify(signed, statement.Signature))
        {
            throw new HandoverException(HandoverFailure.BadSignature, "the old log's key did not sign the statement");
        }

        if (next.Fingerprint() == pinned.Fingerprint())
        {
            throw new HandoverException(HandoverFailure.SameLog, "the statement hands the log over to itself");
        }

        return statement;
    }

    private static void WriteFields(TlsWriter writer, byte[] oldFingerprint, ulong finalTreeSize, byte[] finalRoot, byte[] newConfiguration, ulong timestampMs)
    {
        writer.WriteFixed(oldFingerprint, Hash32.Size);
        writer.WriteUInt64(finalTreeSize);
        writer.WriteFixed(finalRoot, Hash32.Size);
        writer.WriteOpaque(newConfiguration, MaxConfigurationSize, 1);
        writer.WriteUInt64(timestampMs);
    }
}
