namespace OpenCkv.Protocol;

/// <summary>
/// The domain-separation strings that start every signed or hashed input of docs/ckv-protocol.md. Each signature
/// and derivation has its own, so a signature made for one purpose never verifies for another. ASCII, encoded as
/// <c>opaque context&lt;1..255&gt;</c> at the start of the input.
/// </summary>
public static class Contexts
{
    /// <summary>The handle record, signed by the account key.</summary>
    public const string HandleRecord = "OpenCKV v1 handle record";

    /// <summary>A cross-signature from one account key to the next.</summary>
    public const string KeyRotation = "OpenCKV v1 account key rotation";

    /// <summary>A device's proof that it holds its message-signing key, bound to its account and other keys.</summary>
    public const string DevicePossession = "OpenCKV v1 device possession";

    /// <summary>An authenticated HTTP request, signed by the device's request key.</summary>
    public const string Request = "OpenCKV v1 request";

    /// <summary>The public verification code of an account key.</summary>
    public const string PublicCode = "OpenCKV v1 public verification code";

    /// <summary>The commitment of the on-device comparison.</summary>
    public const string ComparisonCommitment = "OpenCKV v1 comparison commitment";

    /// <summary>The code both devices show in the on-device comparison.</summary>
    public const string ComparisonCode = "OpenCKV v1 comparison code";

    /// <summary>An end-to-end encrypted message, signed by the sending device's message-signing key.</summary>
    public const string Message = "OpenCKV v1 message";

    /// <summary>A keychain blob relayed between an account's devices, signed by the sending device.</summary>
    public const string KeychainBlob = "OpenCKV v1 keychain blob";

    /// <summary>The commitment of the join exchange between a joining and an approving device.</summary>
    public const string JoinCommitment = "OpenCKV v1 join commitment";

    /// <summary>The code both devices of a join exchange show.</summary>
    public const string JoinCode = "OpenCKV v1 join code";

    /// <summary>A log's statement, signed with its tree-head key, that moves its clients to a new log.</summary>
    public const string LogHandover = "OpenCKV v1 log handover";

    /// <summary>Bytes of a context as they start a signed or hashed input.</summary>
    /// <summary>The conversation id of two accounts (§6.1).</summary>
    public const string Conversation = "OpenCKV v1 conversation";

    internal static byte[] Bytes(string context) => System.Text.Encoding.ASCII.GetBytes(context);
}
