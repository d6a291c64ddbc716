using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client.Profiles;
using OpenCkv.Protocol;

namespace OpenCkv.Web.Pages.Device;

/// <summary>
/// A contact card: the handle, and the "Verification Code" field added through "add field" (DESIGN §1, public-code
/// verification). A typo is refused and nothing is saved; a code of another key is saved with the warning that no
/// checkmark will show.
/// </summary>
public sealed class ContactModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>The contact's name.</summary>
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The field being added or edited ("code").</summary>
    [BindProperty(SupportsGet = true)]
    public string? Field { get; set; }

    /// <summary>Whether the field chooser shows.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Adding { get; set; }

    /// <summary>The card.</summary>
    public ContactEntry? Contact { get; private set; }

    /// <summary>Shows the card.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(device =>
    {
        Contact = device.Contact(Name);
        return Task.CompletedTask;
    });

    /// <summary>Saves the pasted code, after the device compared it with the key automatic verification found.</summary>
    public async Task<IActionResult> OnPostCodeAsync(string code)
    {
        string card = Here("/contacts/" + Uri.EscapeDataString(Name));
        CodeMatch? match = null;
        IActionResult result = await ChangeAsync(
            async device =>
            {
                match = await device.SetContactCodeAsync(Name, code ?? string.Empty, HttpContext.RequestAborted).ConfigureAwait(false);
                return match == CodeMatch.Match ? $"Saved. The code matches {Name}'s verified account key." : string.Empty;
            },
            card).ConfigureAwait(false);
        if (match is { } saved && saved != CodeMatch.Match)
        {
            // Saved, but it is a warning, not a success.
            Notice = null;
            Problem = $"Saved, but the code does not match the key the server presents for {Name}: no checkmark will show. You may not be talking to the person you think.";
            return result;
        }

        return Problem is null ? result : Redirect(card + "?field=code");
    }
}
