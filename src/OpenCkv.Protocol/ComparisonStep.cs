using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// One message of the on-device comparison (docs/ckv-protocol.md §5), carried inside an end-to-end encrypted,
/// signed message (§6.1, <see cref="MessageContent"/> kind 2):
/// <code>
/// struct {
///   uint8 step;                 // 0 ready, 1 commitment, 2 answer, 3 opening
///   opaque session[16];         // chosen by the responder in its "ready"; every later step repeats it
///   select (step) {
///     case 0: ;
///     case 1: opaque commitment[32];
///     case 2, 3: opaque account_key[65]; opaque device_id[16]; opaque nonce[32];
///   };
/// } ComparisonStep;
/// </code>
/// The responder (the account whose id sorts higher) opens with "ready" once its person opened the screen; the
/// initiator commits only then, so a code shows only when both are in.
/// </summary>
public sealed record ComparisonStep : ITlsCodec<ComparisonStep>
{
    /// <summary>The length of a session id.</summary>
    public const int SessionSize = 16;

    private ComparisonStep(byte step, byte[] session, byte[] commitment, byte[] accountKey, byte[] deviceId, byte[] nonce)
    {
        Step = step;
        Session = session;
        Commitment = commitment;
        AccountKey = accountKey;
        DeviceId = deviceId;
        Nonce = nonce;
    }

    /// <summary>0 ready, 1 commitment, 2 answer, 3 opening.</summary>
    public byte Step { get; }

    /// <summary>The responder's session id.</summary>
    public byte[] Session { get; }

    /// <summary>Step 1: the initiator's commitment.</summary>
    public byte[] Commitment { get; }

    /// <summary>Steps 2 and 3: the sender's account key.</summary>
    public byte[] AccountKey { get; }

    /// <summary>Steps 2 and 3: the sender's device id.</summary>
    public byte[] DeviceId { get; }

    /// <summary>Steps 2 and 3: the sender's nonce.</summary>
    public byte[] Nonce { get; }

    /// <summary>Step 0.</summary>
    public static ComparisonStep Ready(byte[] session) => new(0, session, [], [], [], []);

    /// <summary>Step 1.</summary>
    public static ComparisonStep Commit(byte[] session, byte[] commitment) => new(1, session, commitment, [], [], []);

    /// <summary>Step 2 (answer) or 3 (opening).</summary>
    public static ComparisonStep Reveal(byte step, byte[] session, byte[] accountKey, byte[] deviceId, byte[] nonce) =>
        step is 2 or 3 ? new(step, session, [], accountKey, deviceId, nonce) : throw new ArgumentOutOfRangeException(nameof(step));

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8(Step);
        writer.WriteFixed(Session, SessionSize);
        if (Step == 1)
        {
            writer.WriteFixed(Commitment, 32);
        }
        else if (Step >= 2)
        {
            writer.WriteFixed(AccountKey, Device.KeySize);
            writer.WriteFixed(DeviceId, Device.IdSize);
            writer.WriteFixed(Nonce, ComparisonCode.NonceSize);
        }
    }

    /// <inheritdoc />
    public static ComparisonStep Decode(ref TlsReader reader)
    {
        byte step = reader.ReadEnum8(static s => s <= 3, "ComparisonStep.step");
        byte[] session = reader.ReadFixed(SessionSize).ToArray();
        return step switch
        {
            0 => Ready(session),
            1 => Commit(session, reader.ReadFixed(32).ToArray()),
            _ => Reveal(step, session, reader.ReadFixed(Device.KeySize).ToArray(), reader.ReadFixed(Device.IdSize).ToArray(), reader.ReadFixed(ComparisonCode.NonceSize).ToArray()),
        };
    }
}
