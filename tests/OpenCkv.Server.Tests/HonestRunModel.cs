using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Verification;

namespace OpenCkv.Server.Tests;

/// <summary>A person of the honest run, and what the log holds for their handle now.</summary>
internal sealed class RunPerson(string name)
{
    public string Name { get; } = name;

    public string Handle { get; } = $"mailto:{name.ToLowerInvariant()}@example.com";

    public string Label => CkvDevice.Normalize(Handle);

    /// <summary>The authenticator secret, once the second factor is on.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>The last 30-second step whose code was spent: the server takes each step once.</summary>
    public long LastTotpStep { get; set; }

    public bool CkvOn { get; set; }

    /// <summary>The public code of each account key the account had, the current one last.</summary>
    public List<string> Codes { get; } = [];

    /// <summary>Which account key is current: 0 at registration, one more after each rotation.</summary>
    public int KeyEpoch => Codes.Count - 1;

    /// <summary>The devices signed in now.</summary>
    public List<RunDevice> Devices { get; } = [];

    public int DevicesEver { get; set; }

    public override string ToString() => Name;
}

/// <summary>A contact card as a device holds it: whose handle, and which of their codes it saved (if any).</summary>
internal sealed record Card(RunPerson Person, int? CodeEpoch);

/// <summary>A message waiting in a device's mailbox: from which device, with whom the conversation is, the text.</summary>
/// <param name="OwnCopy">A copy of a message another device of the recipient's own account sent.</param>
internal sealed record Mail(RunDevice From, RunPerson With, string Text, bool OwnCopy);

/// <summary>A keychain blob waiting for a device.</summary>
internal abstract record Blob(RunDevice From);

/// <summary>A keychain: the sender's circle and contact book, sealed under the account key it held.</summary>
internal sealed record KeychainBlob(RunDevice From, IReadOnlySet<string> Circle, IReadOnlyDictionary<string, Card> Contacts, int KeyEpoch) : Blob(From);

/// <summary>A request to prove a new account key, while a lost device is removed.</summary>
internal sealed record RotationRequest(RunDevice From, int NewEpoch, RunDevice Lost) : Blob(From);

/// <summary>
/// One device of the honest run and what it should know at each moment: the contacts it verified and what it
/// saw of them, its keychain (contacts with codes, circle), its view of its own record, the keychain blobs and
/// messages waiting for it, and the notifications and messages it should have shown. The methods follow what the
/// SDK does for each call; the test compares the real device with this after every step.
/// </summary>
internal sealed class RunDevice(RunPerson owner, string name, string folder)
{
    /// <summary>The largest page of messages one mailbox fetch takes.</summary>
    public const int MailboxPage = 100;

    public RunPerson Owner { get; } = owner;

    public string Name { get; } = name;

    public string Folder { get; } = folder;

    public CkvDevice Sdk { get; private set; } = null!;

    public string Id { get; private set; } = string.Empty;

    /// <summary>The step until which the device stays offline (it neither syncs nor acts).</summary>
    public int OfflineUntil { get; set; } = -1;

    /// <summary>What the device last verified of each handle: the account key and whether CKV was on.</summary>
    public Dictionary<string, (int KeyEpoch, bool CkvOn)> Seen { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Card> Contacts { get; private set; } = new(StringComparer.Ordinal);

    public HashSet<string> Circle { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>The devices of its own record, as it last verified or published it.</summary>
    public HashSet<string> OwnRecord { get; private set; } = new(StringComparer.Ordinal);

    public bool OwnCkvOn { get; set; }

    public int HeldKeyEpoch { get; set; }

    public int? PendingKeyEpoch { get; set; }

    public bool KeychainDirty { get; set; }

    public List<Blob> Blobs { get; } = [];

    public List<Mail> Mailbox { get; } = [];

    /// <summary>Every notification the device should have raised, as "code label".</summary>
    public List<string> Notices { get; } = [];

    /// <summary>The messages accepted since the test last took the device's new messages.</summary>
    public List<ChatMessage> Arrived { get; } = [];

    /// <summary>Messages accepted; messages refused because their sending device was signed out before they arrived; own copies refused.</summary>
    public (int Accepted, int FromSignedOut, int OwnCopiesRefused) Delivery { get; private set; }

    public bool Online(int step) => step >= OfflineUntil;

    /// <summary>The first device of a new account.</summary>
    public void Registered(CkvDevice sdk)
    {
        Attach(sdk);
        Circle = new(StringComparer.Ordinal) { Id };
        OwnRecord = new(StringComparer.Ordinal) { Id };
    }

    /// <summary>A device that joined through <paramref name="approver"/>: its keychain is the approver's.</summary>
    public void Joined(RunDevice approver)
    {
        Circle = new(approver.Circle, StringComparer.Ordinal);
        Contacts = new(approver.Contacts, StringComparer.Ordinal);
        HeldKeyEpoch = approver.HeldKeyEpoch;
        OwnRecord = Owner.Devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        OwnCkvOn = Owner.CkvOn;
    }

    public void Attach(CkvDevice sdk)
    {
        Sdk = sdk;
        Id = Convert.ToHexStringLower(sdk.DeviceId);
    }

    public bool HasSavedCode(RunPerson person) => Contacts.Values.Any(c => c.Person == person && c.CodeEpoch is not null);

    /// <summary>Automatic verification of <paramref name="person"/>'s handle: a rotation or an opt-out seen since the last check notifies.</summary>
    public void Check(RunPerson person)
    {
        if (Seen.TryGetValue(person.Label, out (int KeyEpoch, bool CkvOn) before))
        {
            if (before.KeyEpoch != person.KeyEpoch && HasSavedCode(person))
            {
                Notices.Add($"{AlertCode.CodeChanged} {person.Label}");
            }

            if (before.CkvOn && !person.CkvOn)
            {
                Notices.Add($"{AlertCode.ContactTurnedOff} {person.Label}");
            }
        }

        Seen[person.Label] = (person.KeyEpoch, person.CkvOn);
    }

    /// <summary>
    /// Self-monitoring: the own record as the log holds it, and a rotated key this device proved becomes its own. A
    /// device the circle does not know yet sends the device to its keychain blobs first (a join approved elsewhere).
    /// </summary>
    public void CheckOwnRecord()
    {
        if (PendingKeyEpoch == Owner.KeyEpoch)
        {
            HeldKeyEpoch = Owner.KeyEpoch;
            PendingKeyEpoch = null;
        }

        HashSet<string> verified = Owner.Devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        if (verified.Any(id => !Circle.Contains(id)))
        {
            TakeKeychain(verified);
        }

        OwnRecord = verified;
        OwnCkvOn = Owner.CkvOn;
    }

    /// <summary>
    /// Takes every waiting keychain blob: answers rotation requests and merges keychains sealed under the key it
    /// holds or an earlier one; drops those of devices signed out since they sent them.
    /// </summary>
    /// <param name="verified">The devices of an own record verified just now, beside the one held.</param>
    public void TakeKeychain(IReadOnlySet<string>? verified = null)
    {
        foreach (Blob blob in Blobs)
        {
            if (!OwnRecord.Contains(blob.From.Id) && verified?.Contains(blob.From.Id) != true)
            {
                continue;
            }

            switch (blob)
            {
                case RotationRequest request when request.Lost != this:
                    PendingKeyEpoch = request.NewEpoch;
                    break;
                case KeychainBlob keychain when keychain.KeyEpoch <= HeldKeyEpoch:
                    Circle.UnionWith(keychain.Circle);
                    foreach ((string name, Card card) in keychain.Contacts)
                    {
                        if (!Contacts.TryGetValue(name, out Card? mine))
                        {
                            Contacts[name] = card;
                        }
                        else if (mine.Person == card.Person && mine.CodeEpoch is null && card.CodeEpoch is not null)
                        {
                            Contacts[name] = card;
                        }
                    }

                    break;
            }
        }

        Blobs.Clear();
    }

    /// <summary>The devices a keychain push or a message copy goes to: the circle's, in the own record, but this one.</summary>
    public IReadOnlyList<string> OtherOwnDevices() => Circle.Where(id => OwnRecord.Contains(id) && id != Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Sends the keychain to every other own device.</summary>
    public void PushKeychain(IEnumerable<RunDevice> recipients)
    {
        var blob = new KeychainBlob(this, new HashSet<string>(Circle, StringComparer.Ordinal), new Dictionary<string, Card>(Contacts, StringComparer.Ordinal), HeldKeyEpoch);
        foreach (RunDevice recipient in recipients)
        {
            recipient.Blobs.Add(blob);
        }

        KeychainDirty = false;
    }

    /// <summary>One mailbox fetch: the oldest page, each sender checked once, messages of signed-out devices refused.</summary>
    public int ReceivePage()
    {
        Mail[] page = Mailbox.Take(MailboxPage).ToArray();
        Mailbox.RemoveRange(0, page.Length);
        var checkedSenders = new HashSet<RunPerson>();
        bool ownRecordChecked = false;
        int refused = 0;
        foreach (Mail mail in page)
        {
            bool accepted;
            if (mail.OwnCopy)
            {
                // A copy from another own device: it must be in the circle and the own record as this device knows
                // them, and the conversation one with a contact this device verified — now, if it had not yet.
                bool known = Circle.Contains(mail.From.Id) && OwnRecord.Contains(mail.From.Id);
                if (!known && !ownRecordChecked)
                {
                    // Perhaps a device that joined since: the own record is checked once a fetch.
                    ownRecordChecked = true;
                    CheckOwnRecord();
                    known = Circle.Contains(mail.From.Id) && OwnRecord.Contains(mail.From.Id);
                }

                if (known && !Seen.ContainsKey(mail.With.Label))
                {
                    foreach (RunPerson unverified in Contacts.Values.Select(c => c.Person).Where(p => !Seen.ContainsKey(p.Label)).Distinct().ToArray())
                    {
                        Check(unverified);
                    }
                }

                accepted = known && Seen.ContainsKey(mail.With.Label) && Contacts.Values.Any(c => c.Person == mail.With);
            }
            else
            {
                if (checkedSenders.Add(mail.From.Owner))
                {
                    Check(mail.From.Owner);
                }

                accepted = mail.From.Owner.Devices.Contains(mail.From);
            }

            if (accepted)
            {
                Arrived.Add(new ChatMessage(mail.With.Label, mail.OwnCopy, mail.Text, mail.From.Id));
                Delivery = Delivery with { Accepted = Delivery.Accepted + 1 };
            }
            else
            {
                refused++;
                Delivery = mail.OwnCopy ? Delivery with { OwnCopiesRefused = Delivery.OwnCopiesRefused + 1 } : Delivery with { FromSignedOut = Delivery.FromSignedOut + 1 };
            }
        }

        return refused;
    }

    /// <summary>The chat status the device should show for <paramref name="person"/> right after checking them.</summary>
    public ChatStatusKind ExpectedStatus(RunPerson person)
    {
        Card card = Contacts.Values.First(c => c.Person == person);
        return !OwnCkvOn ? ChatStatusKind.TurnOnCkv
            : !person.CkvOn ? ChatStatusKind.VerificationOff
            : card.CodeEpoch == person.KeyEpoch ? ChatStatusKind.Verified
            : ChatStatusKind.VerifyContact;
    }

    public override string ToString() => Name;
}
