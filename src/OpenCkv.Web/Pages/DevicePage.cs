using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenCkv.Client;

namespace OpenCkv.Web.Pages;

/// <summary>
/// A screen of one device profile (<c>/p/NAME/…</c>). Reads load what they show from the device; every change is a
/// form post that redirects back (so a reload never repeats it), carrying what happened or why it was refused.
/// </summary>
public abstract class DevicePage(ProfileDevices devices) : PageModel
{
    /// <summary>The profile the URL names.</summary>
    [BindProperty(SupportsGet = true)]
    public string Profile { get; set; } = string.Empty;

    /// <summary>What the last change did, shown once.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why the last change or this read was refused, shown once.</summary>
    [TempData]
    public string? Problem { get; set; }

    /// <summary>Reads with the device: an unknown profile is 404; a refusal or an unreachable server is shown on the page.</summary>
    protected async Task<IActionResult> ShowAsync(Func<CkvDevice, Task> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        try
        {
            await devices.UseAsync(Profile, async device =>
            {
                await load(device).ConfigureAwait(false);
                return true;
            }, HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (ProfileNotFoundException)
        {
            return NotFound();
        }
        catch (Exception e) when (IsRefusal(e))
        {
            Problem = Explain(e);
        }

        return Page();
    }

    /// <summary>Changes with the device, then goes back to <paramref name="back"/> with the notice or the refusal.</summary>
    protected async Task<IActionResult> ChangeAsync(Func<CkvDevice, Task<string>> change, string back)
    {
        ArgumentNullException.ThrowIfNull(change);
        try
        {
            Notice = await devices.UseAsync(Profile, change, HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (ProfileNotFoundException)
        {
            return NotFound();
        }
        catch (RequirementsException e)
        {
            Problem = "Contact Key Verification cannot be turned on yet. " + string.Join(" ", e.Blockers.Select(b => $"{b.DeviceName ?? "This account"}: {b.Reason} — {b.WayOut}."));
        }
        catch (Exception e) when (IsRefusal(e))
        {
            Problem = Explain(e);
        }

        return Redirect(back);
    }

    /// <summary>This profile's address for <paramref name="path"/>.</summary>
    protected string Here(string path = "") => $"/p/{Uri.EscapeDataString(Profile)}{path}";

    /// <summary>What a screen shows instead of failing: the SDK's refusals, an unreachable server, a profile whose
    /// files or key store cannot be used.</summary>
    internal static bool IsRefusal(Exception e) => e is CkvException or HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException;

    private static string Explain(Exception e) => e switch
    {
        HttpRequestException => $"The server did not answer: {e.Message}",
        CkvException => e.Message,
        _ => $"The profile could not be used: {e.Message}",
    };
}
