using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

/// <summary>A contact's chat details: the card, the status, and the check that produced it.</summary>
public sealed record ChatDetails(ContactEntry Contact, ChatStatus Status, HandleCheck Check);

public sealed partial class CkvDevice
{
    /// <summary>Saves a contact under a name of the person's choosing.</summary>
    /// <exception cref="CkvException">The handle is not valid, or the name is taken.</exception>
    public ContactEntry AddContact(string name, string handle)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var contact = new ContactEntry(name.Trim(), Normalize(handle), null, NowMs);
        if (!_db.AddContact(contact))
        {
            throw new CkvException("contact-exists", $"There is already a contact called {contact.Name}.");
        }

        MarkKeychainChanged();
        return contact;
    }

    /// <summary>Every saved contact.</summary>
    public IReadOnlyList<ContactEntry> Contacts() => _db.Contacts();

    /// <summary>The contact called <paramref name="name"/>.</summary>
    /// <exception cref="CkvException"><c>contact-unknown</c>: no such contact (only saved contacts can be verified).</exception>
    public ContactEntry Contact(string name) =>
        _db.Contact(name) ?? throw new CkvException("contact-unknown", $"No contact called {name}: save it first with `ckv contacts add`.");

    /// <summary>
    /// Saves a pasted public verification code in a contact card (DESIGN §1, public-code verification). A typo is
    /// refused as a typo; a well-formed code of another key is saved, and no checkmark will show. A code that
    /// matches the account key of a record that passed automatic verification now re-verifies the contact, which
    /// clears its warnings.
    /// </summary>
    /// <exception cref="CkvException"><c>code-typo</c> or <c>code-unknown-version</c>: nothing saved.</exception>
    public async Task<CodeMatch> SetContactCodeAsync(string name, string code, CancellationToken cancellation = default)
    {
        ContactEntry contact = Contact(name);
        // The form is checked before anything is fetched: a typo or an unknown version shows against any key.
        CodeMatch form = PublicCode.Compare(code, new byte[65]);
        if (form is CodeMatch.Typo or CodeMatch.UnknownVersion)
        {
            throw new CkvException(
                form == CodeMatch.Typo ? "code-typo" : "code-unknown-version",
                form == CodeMatch.Typo ? "That code has a typo: check it character by character." : "That code is from a newer version of the app.");
        }

        HandleCheck check = await CheckHandleAsync(contact.Label, cancellation).ConfigureAwait(false);
        CodeMatch match = check.Pin is null ? CodeMatch.Mismatch : PublicCode.Compare(code, check.Pin.AccountKey);
        _db.InTransaction(() =>
        {
            _db.SetContactCode(contact.Name, PublicCode.Format(code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant()));
            if (match == CodeMatch.Match && check.Usable)
            {
                _db.AcknowledgeWarnings(contact.Label);
            }

            MarkKeychainChanged();
        });
        return match;
    }

    /// <summary>
    /// The chat details of a contact: automatic verification of its handle now, then the status engine
    /// (<see cref="ChatStatus.Of"/>) over what the device holds.
    /// </summary>
    public async Task<ChatDetails> ChatDetailsAsync(string name, CancellationToken cancellation = default)
    {
        ContactEntry contact = Contact(name);
        HandleCheck check = await CheckHandleAsync(contact.Label, cancellation).ConfigureAwait(false);
        return new ChatDetails(contact, StatusOf(contact, check.Pin), check);
    }

    /// <summary>The status of a contact from what the device holds, without asking the log.</summary>
    public ChatStatus StatusOf(ContactEntry contact, ContactPin? pin = null)
    {
        ArgumentNullException.ThrowIfNull(contact);
        pin ??= _db.Pin(contact.Label);
        IEnumerable<Alert> warnings = _db.Alerts(unacknowledgedOnly: true).Where(a => a.Label == contact.Label);
        return ChatStatus.Of(OwnCkvOn, pin, contact.SavedCode, warnings);
    }
}
