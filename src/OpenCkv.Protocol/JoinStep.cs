using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// One message of the join exchange as the relay carries it (docs/ckv-protocol.md §6.2):
/// <code>
/// struct {
///   uint8 step;                       // 1 commitment, 2 answer, 3 opening
///   select (step) {
///     case 1: opaque commitment[32];                      // joining device
///     case 2: opaque account_key[65]; opaque device_id[16]; opaque nonce[32];   // approving device
///     case 3: opaque nonce[32]; Device entry;             // joining device: its opening and its record entry
///   };
/// } JoinStep;
/// </code>
/// The joining device's signing key and id are those of its join request; the entry of step 3 is the one the
/// approving device puts in the record, its possession proof made for the account key of step 2.
/// </summary>
public sealed record JoinStep : ITlsCodec<JoinStep>
{
    private JoinStep(byte step, byte[] commitment, byte[] accountKey, byte[] deviceId, byte[] nonce, Device? entry)
    {
        Step = step;
        Commitment = commitment;
        AccountKey = accountKey;
        DeviceId = deviceId;
        Nonce = nonce;
        Entry = entry;
    }

    /// <summary>1, 2 or 3.</summary>
    public byte Step { get; }

    /// <summary>Step 1: the joining device's commitment.</summary>
    public byte[] Commitment { get; }

    /// <summary>Step 2: the account key.</summary>
    public byte[] AccountKey { get; }

    /// <summary>Step 2: the approving device's id.</summary>
    public byte[] DeviceId { get; }

    /// <summary>Steps 2 and 3: the sender's nonce.</summary>
    public byte[] Nonce { get; }

    /// <summary>Step 3: the joining device's record entry.</summary>
    public Device? Entry { get; }

    /// <summary>Step 1.</summary>
    public static JoinStep Commit(byte[] commitment) => new(1, commitment, [], [], [], null);

    /// <summary>Step 2.</summary>
    public static JoinStep Answer(byte[] accountKey, byte[] deviceId, byte[] nonce) => new(2, [], accountKey, deviceId, nonce, null);

    /// <summary>Step 3.</summary>
    public static JoinStep Open(byte[] nonce, Device entry) => new(3, [], [], [], nonce, entry);

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8(Step);
        switch (Step)
        {
            case 1:
                writer.WriteFixed(Commitment, 32);
                break;
            case 2:
                writer.WriteFixed(AccountKey, Device.KeySize);
                writer.WriteFixed(DeviceId, Device.IdSize);
                writer.WriteFixed(Nonce, ComparisonCode.NonceSize);
                break;
            default:
                writer.WriteFixed(Nonce, ComparisonCode.NonceSize);
                Entry!.Encode(writer);
                break;
        }
    }

    /// <inheritdoc />
    public static JoinStep Decode(ref TlsReader reader)
    {
        byte step = reader.ReadEnum8(static s => s is >= 1 and <= 3, "JoinStep.step");
        return step switch
        {
            1 => Commit(reader.ReadFixed(32).ToArray()),
            2 => Answer(reader.ReadFixed(Device.KeySize).ToArray(), reader.ReadFixed(Device.IdSize).ToArray(), reader.ReadFixed(ComparisonCode.NonceSize).ToArray()),
            _ => Open(reader.ReadFixed(ComparisonCode.NonceSize).ToArray(), Device.Decode(ref reader)),
        };
    }
}
