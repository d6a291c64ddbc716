namespace OpenCkv.Protocol;

/// <summary>The changes a new handle record may make to the last one (docs/ckv-protocol.md §2.7).</summary>
public enum Transition
{
    /// <summary>The first record of a handle, at registration or when the handle is added to an account.</summary>
    First = 1,

    /// <summary>CKV turned on.</summary>
    CkvOn,

    /// <summary>CKV turned off (a signed opt-out).</summary>
    CkvOff,

    /// <summary>One device joined.</summary>
    DeviceAdded,

    /// <summary>One device signed out by its owner: its keys erased, no rotation.</summary>
    DeviceSignedOut,

    /// <summary>One device removed as lost or stolen: the account key rotates, cross-signed by the old one.</summary>
    DeviceRemovedAsLost,

    /// <summary>The handle taken off the account: a tombstone.</summary>
    HandleRemoved,

    /// <summary>Every device lost: a new account key cross-signed by nothing.</summary>
    AccountReset,
}

/// <summary>What authenticated the request that asks for a transition (docs/ckv-protocol.md §2.7).</summary>
[Flags]
public enum Authorization
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The handle's one-time code was proven.</summary>
    HandleCode = 1,

    /// <summary>The account's second factor was proven.</summary>
    SecondFactor = 2,

    /// <summary>A request signed by a device of the account (§3).</summary>
    AccountDevice = 4,

    /// <summary>A join exchange completed and was confirmed on an approving device (§6.2).</summary>
    JoinConfirmed = 8,
}

/// <summary>A transition refused, with the rule it broke.</summary>
public sealed class TransitionException(Transition transition, string detail) : Exception($"{transition}: {detail}")
{
    /// <summary>The transition that was asked for.</summary>
    public Transition Transition { get; } = transition;
}

/// <summary>
/// The transition table of docs/ckv-protocol.md §2.7: what the directory server checks before it publishes a new
/// record of a handle, on top of <see cref="RecordCheck"/> on the new record. Each transition changes exactly
/// what the table says, continues the handle's succession (next version, greater counter, the previous record's
/// hash) and carries the authorisation the table requires; anything else is refused.
/// </summary>
public static class RecordTransitions
{
    private static readonly Dictionary<Transition, Authorization> Required = new()
    {
        [Transition.First] = Authorization.HandleCode,
        [Transition.CkvOn] = Authorization.AccountDevice,
        [Transition.CkvOff] = Authorization.AccountDevice,
        [Transition.DeviceAdded] = Authorization.JoinConfirmed,
        [Transition.DeviceSignedOut] = Authorization.AccountDevice,
        [Transition.DeviceRemovedAsLost] = Authorization.AccountDevice,
        [Transition.HandleRemoved] = Authorization.AccountDevice,
        [Transition.AccountReset] = Authorization.HandleCode | Authorization.SecondFactor,
    };

    /// <summary>Checks that <paramref name="next"/> makes <paramref name="transition"/> from <paramref name="previous"/> (null for <see cref="Transition.First"/>).</summary>
    /// <exception cref="TransitionException">The records, the transition or the authorisation do not fit the table.</exception>
    public static void Check(HandleRecord? previous, HandleRecord next, Transition transition, Authorization authorization)
    {
        ArgumentNullException.ThrowIfNull(next);
        Authorization required = Required[transition];
        if ((authorization & required) != required)
        {
            throw new TransitionException(transition, $"needs {required}, has {authorization}");
        }

        if (transition == Transition.First)
        {
            CheckFirst(previous, next);
            return;
        }

        if (previous is null)
        {
            throw new TransitionException(transition, "only a first record has no previous record");
        }

        Require(transition, KeyContinuity.Follows(previous, next), "the record does not follow the previous one (label, version, counter, previous hash)");
        Require(transition, next.AccountId.AsSpan().SequenceEqual(previous.AccountId), "the account changed");
        Require(transition, previous.State != CkvState.Removed, "a removed handle gets no further record; it is added again as a first record");
        bool sameKey = next.AccountKey.AsSpan().SequenceEqual(previous.AccountKey) && next.Chain.SequenceEqual(previous.Chain);
        switch (transition)
        {
            case Transition.CkvOn or Transition.CkvOff:
                Require(transition, next.State == (transition == Transition.CkvOn ? CkvState.On : CkvState.Off) && previous.State != next.State, "the state does not change as asked");
                Require(transition, sameKey && next.Devices.SequenceEqual(previous.Devices), "only the state may change");
                break;
            case Transition.DeviceAdded:
                Require(transition, sameKey && next.State == previous.State, "only the devices may change");
                Require(transition, OneMore(previous.Devices, next.Devices), "the devices are not the previous ones plus one");
                break;
            case Transition.DeviceSignedOut:
                Require(transition, sameKey && next.State == previous.State, "only the devices may change");
                Require(transition, OneMore(next.Devices, previous.Devices), "the devices are not the previous ones less one");
                break;
            case Transition.DeviceRemovedAsLost:
                Require(transition, next.State == previous.State && OneMore(next.Devices, previous.Devices), "the devices are not the previous ones less one");
                Require(
                    transition,
                    !next.AccountKey.AsSpan().SequenceEqual(previous.AccountKey) &&
                    next.Chain.Count == previous.Chain.Count + 1 &&
                    next.Chain.Take(previous.Chain.Count).SequenceEqual(previous.Chain) &&
                    next.Chain[^1].PreviousKey.AsSpan().SequenceEqual(previous.AccountKey),
                    "the new key is not cross-signed by the previous one as the chain's next link");
                break;
            case Transition.HandleRemoved:
                Require(transition, sameKey && next.State == CkvState.Removed && next.Devices.Count == 0, "a tombstone keeps the key and has no device");
                break;
            case Transition.AccountReset:
                Require(transition, !next.AccountKey.AsSpan().SequenceEqual(previous.AccountKey) && next.Chain.Count == 0, "a reset brings a new key and starts a new chain");
                Require(transition, next.State == previous.State && next.Devices.Count > 0, "a reset changes only the key and the devices");
                break;
            default:
                throw new TransitionException(transition, "not a transition from a previous record");
        }
    }

    /// <summary>
    /// A first record: version 0 of a new label, or — after the handle's tombstone — the label's next version, with
    /// a greater counter; never over a live record. It has no previous record hash and is not a tombstone.
    /// </summary>
    private static void CheckFirst(HandleRecord? previous, HandleRecord next)
    {
        Require(Transition.First, previous is null || previous.State == CkvState.Removed, "a handle with a live record cannot start over");
        Require(
            Transition.First,
            previous is null ? next.Version == 0 : next.Version == previous.Version + 1UL && next.Counter > previous.Counter && next.Label.AsSpan().SequenceEqual(previous.Label),
            "a first record is version 0 of a new label, or the next version after a tombstone");
        Require(Transition.First, next.PreviousRecordHash.All(b => b == 0), "a first record has no previous record");
        Require(Transition.First, next.State != CkvState.Removed, "a first record is not a tombstone");
    }

    /// <summary>
    /// True when <paramref name="more"/> is <paramref name="fewer"/> plus exactly one device, order kept. Devices
    /// are compared by id and keys, not by possession proof: after a rotation every remaining device proves
    /// possession again for the new account key.
    /// </summary>
    private static bool OneMore(IReadOnlyList<Device> fewer, IReadOnlyList<Device> more) =>
        more.Count == fewer.Count + 1 &&
        Enumerable.Range(0, more.Count).Any(skip => more.Where((_, i) => i != skip).Select(Identity).SequenceEqual(fewer.Select(Identity)));

    private static string Identity(Device device) =>
        Convert.ToHexString([.. device.DeviceId, .. device.SigningKey, .. device.EncryptionKey, .. device.RequestKey]);

    private static void Require(Transition transition, bool condition, string detail)
    {
        if (!condition)
        {
            throw new TransitionException(transition, detail);
        }
    }
}
