using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client;
using OpenCkv.Client.Verification;

namespace OpenCkv.Web.Pages.Device;

/// <summary>Chat details: exactly one of the five statuses, from a verification made now, and "Verify Contact".</summary>
public sealed class DetailsModel(ProfileDevices devices, Comparisons comparisons) : DevicePage(devices)
{
    /// <summary>The contact's name.</summary>
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The status.</summary>
    public ChatStatus? Status { get; private set; }

    /// <summary>Verifies the contact now and shows the status.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(async device =>
    {
        ChatDetails details = await device.ChatDetailsAsync(Name, HttpContext.RequestAborted).ConfigureAwait(false);
        Status = details.Status;
    });

    /// <summary>Opens the side-by-side code screen.</summary>
    public IActionResult OnPostVerify()
    {
        comparisons.Open(Profile, Name);
        return Redirect(Here("/chat/" + Uri.EscapeDataString(Name) + "/verify"));
    }
}
