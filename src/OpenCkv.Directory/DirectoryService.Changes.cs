using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

public sealed partial class DirectoryService
{
    // Changes a signed-in device asks for.

    /// <summary>
    /// Publishes a change an authenticated device of the account asked for, with the new record of every live
    /// handle (for <see cref="Transition.HandleRemoved"/>: only the removed handle's tombstone). Turning CKV on first
    /// checks every requirement and refuses with all blockers. Adding a device names the pending join request
    /// (<paramref name="joinId"/>) whose device the records add: the approving device ran the exchange with it.
    /// </summary>
    public async Task<ChangeReceipt> ChangeAsync(byte[] accountId, byte[] deviceId, Transition transition, IReadOnlyList<byte[]> recordBytes, byte[]? joinId = null)
    {
        ArgumentNullException.ThrowIfNull(recordBytes);
        RequireWriter();
        if (transition is not (Transition.CkvOn or Transition.CkvOff or Transition.DeviceSignedOut or Transition.DeviceRemovedAsLost or Transition.HandleRemoved or Transition.DeviceAdded))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, $"{transition} is not made by a signed-in device.");
        }

        if ((transition == Transition.DeviceAdded) != (joinId is not null))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "A device is added by approving its join request, and only then is a join request named.");
        }

        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        AccountView view = await ViewAsync(accountId, fresh: true).ConfigureAwait(false) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (view.Current is null || view.RequestKeyOf(deviceId) is null)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Only a signed-in device of the account changes it.");
        }

        if (transition == Transition.CkvOn && RequirementsOf(view.Account, view) is { Count: > 0 } blockers) // the view was read just now
        {
            throw new DirectoryException(DirectoryError.RequirementsNotMet, "Contact key verification cannot be turned on yet.", blockers);
        }

        Authorization authorization = Authorization.AccountDevice;
        JoinRequest? join = null;
        if (joinId is not null)
        {
            join = PendingJoin(joinId, accountId);
            authorization |= Authorization.JoinConfirmed;
            if (view.Current.State == CkvState.On && CkvRequirements.CheckDevice(join.Device, _options.Minimums) is { Count: > 0 } joiner)
            {
                throw new DirectoryException(DirectoryError.RequirementsNotMet, "Contact key verification is on: the joining device must meet its requirements.", joiner);
            }
        }

        List<(string Label, byte[] Bytes, HandleRecord Record)> checkedRecords =
            CheckAll(view, recordBytes, transition, authorization, allLive: transition != Transition.HandleRemoved);
        HandleRecord first = checkedRecords[0].Record;

        if (join is not null)
        {
            // The added device must be the one that asked to join, keys and all; its row goes in before the record
            // names it, so a signed-in device always has reported facts.
            Device added = first.Devices.Single(d => !view.Current.Devices.Any(old => SameDevice(old, d)));
            if (!added.DeviceId.AsSpan().SequenceEqual(join.Device.DeviceId) || !added.RequestKey.AsSpan().SequenceEqual(join.Device.RequestKey) ||
                !added.SigningKey.AsSpan().SequenceEqual(join.SigningKey) || !added.EncryptionKey.AsSpan().SequenceEqual(join.EncryptionKey))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, "The added device is not the one that asked to join.");
            }

            AddDevice(join.Device);
        }

        ChangeReceipt receipt = join is null
            ? await PublishAsync(checkedRecords).ConfigureAwait(false)
            : await PublishRemovingOnFailureAsync(checkedRecords, join.Device.DeviceId).ConfigureAwait(false);

        // The published record is the account's from now on: no view cached before it may answer once the change can
        // be seen — a joining device signs its very next request as a device of the account as soon as it reads "approved".
        if (transition is Transition.CkvOn or Transition.CkvOff && CarryForward(view, checkedRecords))
        {
            return receipt; // no row changed: the view checked against, with the new records, is the account now
        }

        Forget(accountId);
        if (join is not null)
        {
            _relays.SettleJoin(join.JoinId, JoinState.Approved);
        }

        if (transition is Transition.DeviceSignedOut or Transition.DeviceRemovedAsLost)
        {
            // By id: a rotation re-makes every remaining device's possession proof for the new key.
            foreach (Device gone in view.Current.Devices.Where(d => !first.Devices.Any(kept => SameDevice(kept, d))))
            {
                _store.RemoveDevice(gone.DeviceId);
                _relays.ForgetDevice(gone.DeviceId);
            }
        }

        Forget(accountId);
        return receipt;
    }

    /// <summary>
    /// Checks new records of an account's handles, each against its handle's newest (§2.5, §2.7), and together: one
    /// record for every live handle (or, when <paramref name="allLive"/> is false, exactly one), all agreeing on
    /// counter, key, chain, state and devices (§2.4).
    /// </summary>
    private static List<(string Label, byte[] Bytes, HandleRecord Record)> CheckAll(
        AccountView view, IReadOnlyList<byte[]> recordBytes, Transition transition, Authorization authorization, bool allLive)
    {
        var checkedRecords = new List<(string Label, byte[] Bytes, HandleRecord Record)>();
        foreach (byte[] bytes in recordBytes)
        {
            string label = LabelOf(bytes);
            if (!view.Records.TryGetValue(label, out HandleRecord? previous))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, $"{label} is not a handle of this account.");
            }

            if (checkedRecords.Any(r => r.Label == label))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, $"Two records for {label}.");
            }

            HandleRecord record = CheckRecord(bytes, label, checked(previous.Version + 1), previous);
            Refuse(() => RecordTransitions.Check(previous, record, transition, authorization));
            checkedRecords.Add((label, bytes, record));
        }

        string[] live = view.LiveHandles.ToArray();
        if (allLive
            ? checkedRecords.Count != live.Length || live.Any(l => checkedRecords.All(r => r.Label != l))
            : checkedRecords.Count != 1)
        {
            throw new DirectoryException(
                DirectoryError.RecordRejected,
                allLive ? $"A change carries one new record for each live handle ({string.Join(", ", live)})." : "Removing a handle publishes its tombstone alone.");
        }

        HandleRecord first = checkedRecords[0].Record;
        if (checkedRecords.Any(r => r.Record.Counter != first.Counter || !r.Record.AccountKey.AsSpan().SequenceEqual(first.AccountKey) ||
                                    !r.Record.Chain.SequenceEqual(first.Chain) || r.Record.State != first.State || !r.Record.Devices.SequenceEqual(first.Devices)))
        {
            throw new DirectoryException(DirectoryError.RecordRejected, "The new records of one account disagree.");
        }

        return checkedRecords;
    }
}
