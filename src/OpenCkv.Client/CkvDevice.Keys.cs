using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

/// <summary>One device of a contact whose record passed automatic verification: its id and public keys (SEC1 uncompressed P-256).</summary>
/// <param name="DeviceId">The device's id.</param>
/// <param name="SigningKey">Its message-signing key: an app with its own end-to-end encryption verifies the device's signatures with it (over its prekeys or key packages, for example).</param>
/// <param name="EncryptionKey">Its HPKE encryption key (docs/ckv-protocol.md §6.1).</param>
public sealed record VerifiedDeviceKeys(byte[] DeviceId, byte[] SigningKey, byte[] EncryptionKey);

/// <summary>A contact's status and, only when its record passed automatic verification now, the keys of its devices.</summary>
/// <param name="Contact">The contact card.</param>
/// <param name="Status">The chat status (one of the five).</param>
/// <param name="Devices">The verified devices; empty when the record did not pass now or a warning waits — use no keys then.</param>
public sealed record VerifiedContact(ContactEntry Contact, ChatStatus Status, IReadOnlyList<VerifiedDeviceKeys> Devices);

public sealed partial class CkvDevice
{
    /// <summary>
    /// For a messaging app with its own end-to-end encryption (Signal protocol, MLS): verifies the contact's handle now
    /// and returns the keys of the devices of its record — only when the record passed every check and no warning
    /// about the contact waits; otherwise no device at all, and the status says why. An app should encrypt only to
    /// devices whose own identity it can tie to one of these keys.
    /// </summary>
    public async Task<VerifiedContact> VerifiedContactAsync(string name, CancellationToken cancellation = default)
    {
        ContactEntry contact = Contact(name);
        HandleCheck check = await CheckHandleAsync(contact.Label, cancellation).ConfigureAwait(false);
        ChatStatus status = StatusOf(contact, check.Pin);
        bool usable = check.Usable && status.Kind != ChatStatusKind.Warning && check.Pin!.Record.State != CkvState.Removed;
        IReadOnlyList<VerifiedDeviceKeys> devices = !usable ? [] :
            check.Pin!.Record.Devices.Select(d => new VerifiedDeviceKeys(d.DeviceId.ToArray(), d.SigningKey.ToArray(), d.EncryptionKey.ToArray())).ToArray();
        return new VerifiedContact(contact, status, devices);
    }
}
