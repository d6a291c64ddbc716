using System.Text;
using OpenCkv.Directory;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The malicious-server scenarios a development server plays on request (<c>POST /dev/misbehave</c>), by the stable
/// kebab-case names docs/threat-model.md lists, so that clients can be tested against a server that lies. Each one
/// does what a dishonest operator could do with the server's own data and keys, and nothing more: it never has an
/// account key (<c>retired-key</c> is given one a stolen device held).
/// </summary>
internal static class Misbehaviour
{
    /// <summary>Back to honest behaviour: every lasting scenario stops (what was published stays in the log).</summary>
    public const string Honest = "honest";

    // Records the server publishes itself (RecordForgeries).

    /// <summary>A device of the server's own appears in the handle's record, which the account key never signed.</summary>
    public const string InjectDevice = "inject-device";

    /// <summary>A device's encryption key in the handle's record is swapped for the server's.</summary>
    public const string SubstituteKey = "substitute-key";

    /// <summary>The handle's next record, every field as the owner would have it, signed by a key of the server's.</summary>
    public const string ForeignSignature = "foreign-signature";

    /// <summary>The handle's newest signed record served again as the next version.</summary>
    public const string ReplayRecord = "replay-record";

    /// <summary>The devices of the handle listed in the record of <c>to</c>, re-keyed and signed by the server.</summary>
    public const string MoveDevices = "move-devices";

    /// <summary>A rotation to a key of the server's, with a cross-signature the old key never made.</summary>
    public const string UnsignedRotation = "unsigned-rotation";

    /// <summary>The account key replaced by one of the server's, validly signed by it, the chain kept.</summary>
    public const string SwapAccountKey = "swap-account-key";

    /// <summary>A record that looks like an account reset (new key, empty chain, one new device) that nobody authorised.</summary>
    public const string FakeReset = "fake-reset";

    /// <summary>CKV shown off without the account key's signature.</summary>
    public const string UnsignedOptOut = "unsigned-opt-out";

    /// <summary>A record signed by a key the account rotated away from, which a lost device held.</summary>
    public const string RetiredKey = "retired-key";

    // Answers the server corrupts while the scenario lasts (LiveMisbehaviour).

    /// <summary>Every search answer for the handle gets one byte flipped.</summary>
    public const string FlipProof = "flip-proof";

    /// <summary>The VRF proof in every search answer for the handle is altered.</summary>
    public const string WrongVrfProof = "wrong-vrf-proof";

    /// <summary>The commitment opening in every search answer for the handle is altered.</summary>
    public const string WrongOpening = "wrong-opening";

    /// <summary>Every search for the handle is answered "no such record".</summary>
    public const string HideRecord = "hide-record";

    /// <summary>Every search for the handle is answered with the first answer given after the scenario started, however far the log grows.</summary>
    public const string Rollback = "rollback";

    /// <summary>The log appends no heartbeat, so an idle log's newest entry ages past max_behind.</summary>
    public const string StaleHead = "stale-head";

    /// <summary>The log stamps its entries five seconds beyond max_ahead in the future.</summary>
    public const string FutureHead = "future-head";

    /// <summary>A search for the handle is answered with the answer made for another device's retained state.</summary>
    public const string ReplayResponse = "replay-response";

    /// <summary>The auditor's signature in every search answer is altered.</summary>
    public const string BadAuditorSignature = "bad-auditor-signature";

    /// <summary>The server stops taking new heads from its auditor and keeps serving the last one.</summary>
    public const string StaleAuditorHead = "stale-auditor-head";

    /// <summary>The log configuration is served with another max_behind.</summary>
    public const string ChangeConfig = "change-config";

    /// <summary>The handle's account is shown a branch of the log of its own from the next entry on.</summary>
    public const string SplitView = "split-view";

    /// <summary>The handle's account is shown the log as it was (a frozen view), so its distinguished heads never link with anyone else's.</summary>
    public const string UnlinkableHeads = "unlinkable-heads";

    /// <summary>A device is slipped into the handle's record, and the handle's own account is shown a branch without it.</summary>
    public const string HideUpdate = "hide-update";

    // Keychain joins (JoinImpostor).

    /// <summary>A device of the server's own asks to join the handle's account and plays the joining side honestly.</summary>
    public const string ServerJoin = "server-join";

    /// <summary>Joins to the handle's account are answered by the server in the name of the account's device, then "approved" with an unsigned record.</summary>
    public const string FakeApprover = "fake-approver";

    // Messages (LiveMisbehaviour, MessageForgeries).

    /// <summary>The next message queued for each device of the handle's record is dropped.</summary>
    public const string DropMessage = "drop-message";

    /// <summary>The next message queued for each device of the handle's record is queued twice.</summary>
    public const string ReplayMessage = "replay-message";

    /// <summary>The next message the handle's devices send is also queued back to them, as if from its recipient.</summary>
    public const string ReflectMessage = "reflect-message";

    /// <summary>The next message the handle's devices send is also queued to every device of <c>to</c>.</summary>
    public const string ForwardMessage = "forward-message";

    /// <summary>A message that claims to come from the handle's account, sent from a device of the server's own to every device of <c>to</c>.</summary>
    public const string ForgeMessage = "forge-message";

    /// <summary>Every scenario name, <see cref="Honest"/> first.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        Honest, InjectDevice, SubstituteKey, ForeignSignature, ReplayRecord, MoveDevices, UnsignedRotation, SwapAccountKey, FakeReset,
        UnsignedOptOut, RetiredKey, FlipProof, WrongVrfProof, WrongOpening, HideRecord, Rollback, StaleHead, FutureHead, ReplayResponse,
        BadAuditorSignature, StaleAuditorHead, ChangeConfig, SplitView, UnlinkableHeads, HideUpdate, ServerJoin, FakeApprover, DropMessage, ReplayMessage, ReflectMessage, ForwardMessage, ForgeMessage,
    ];

    /// <summary>The scenarios that need a second handle (<c>to</c>).</summary>
    public static IReadOnlyList<string> BetweenTwo { get; } = [MoveDevices, ForwardMessage, ForgeMessage];

    /// <summary>The scenarios about no handle in particular.</summary>
    public static IReadOnlyList<string> LogWide { get; } = [Honest, StaleHead, FutureHead, BadAuditorSignature, StaleAuditorHead, ChangeConfig];

    private static readonly string[] Forgeries =
        [InjectDevice, SubstituteKey, ForeignSignature, ReplayRecord, MoveDevices, UnsignedRotation, SwapAccountKey, FakeReset, UnsignedOptOut, RetiredKey];

    /// <summary>Plays a known scenario.</summary>
    /// <exception cref="ArgumentException">The scenario is not one of <see cref="Known"/>, or lacks what it needs.</exception>
    /// <exception cref="DirectoryException">The directory cannot play it (no such handle, a removed handle, a full record).</exception>
    public static async Task<DevMisbehaveResponse> PlayAsync(DirectoryService directory, Directory.Relays.RelayService relays, LiveMisbehaviour live, DevMisbehaveRequest request)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(request);
        string scenario = request.Scenario;
        if (scenario == Honest)
        {
            live.Stop();
            return new DevMisbehaveResponse(Honest);
        }

        if (LogWide.Contains(scenario))
        {
            live.Start(scenario, label: null);
            return new DevMisbehaveResponse(scenario);
        }

        string handle = request.Handle ?? throw new ArgumentException($"'handle' is required for {scenario}.");
        if (scenario == ForgeMessage)
        {
            return MessageForgeries.ForgeFrom(directory, relays, handle, request.To!);
        }

        if (Forgeries.Contains(scenario))
        {
            (HandleRecord forged, uint version, byte[]? device) = await RecordForgeries.PublishAsync(directory, live.Attacker, scenario, handle, request.To, request.Key).ConfigureAwait(false);
            return new DevMisbehaveResponse(scenario, Encoding.UTF8.GetString(forged.Label), version, device is null ? null : Convert.ToHexStringLower(device));
        }

        HandleRecord newest = directory.DevNewestRecord(handle);
        string label = Encoding.UTF8.GetString(newest.Label);
        if (scenario == HideUpdate)
        {
            // The owner's devices are moved to a branch that leaves the label's later versions out, then the
            // forged version goes into the real log only.
            await live.SplitAsync(newest.AccountId, newest.Label).ConfigureAwait(false);
            (HandleRecord hidden, uint at, byte[]? injected) = await RecordForgeries.PublishAsync(directory, live.Attacker, InjectDevice, handle, null, null).ConfigureAwait(false);
            return new DevMisbehaveResponse(HideUpdate, label, at, Convert.ToHexStringLower(injected!));
        }

        switch (scenario)
        {
            case ServerJoin:
                byte[] joiner = await live.Joins.JoinAsync(handle).ConfigureAwait(false);
                return new DevMisbehaveResponse(scenario, label, newest.Version, Convert.ToHexStringLower(joiner));
            case FakeApprover:
                live.Joins.ApproveJoinsOf(handle);
                break;
            case SplitView:
                await live.SplitAsync(newest.AccountId).ConfigureAwait(false);
                break;
            case UnlinkableHeads:
                await live.SplitAsync(newest.AccountId, frozenClock: true).ConfigureAwait(false);
                break;
            case DropMessage or ReplayMessage or ReflectMessage:
                live.TargetNextMessage(scenario, newest.Devices.Select(d => d.DeviceId));
                break;
            case ForwardMessage:
                HandleRecord to = directory.DevNewestRecord(request.To!);
                live.ForwardNextMessage(newest.Devices.Select(d => d.DeviceId), to.Devices.Select(d => d.DeviceId));
                break;
            default:
                live.Start(scenario, label);
                break;
        }

        return new DevMisbehaveResponse(scenario, label, newest.Version);
    }
}
