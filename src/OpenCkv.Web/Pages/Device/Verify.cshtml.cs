using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OpenCkv.Web.Pages.Device;

/// <summary>
/// The side-by-side code screen (DESIGN §1 "Verify Contact"): it shows a code only once the other person opened
/// theirs too (the SDK's commit-then-reveal exchange), then "Mark as Verified" or "The codes don't match".
/// </summary>
public sealed class VerifyModel(Comparisons comparisons) : PageModel
{
    /// <summary>The profile the URL names.</summary>
    [BindProperty(SupportsGet = true)]
    public string Profile { get; set; } = string.Empty;

    /// <summary>The contact's name.</summary>
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The comparison this tab opened, if any.</summary>
    public Comparison? Comparison { get; private set; }

    /// <summary>Shows where the comparison is.</summary>
    public void OnGet() => Comparison = comparisons.Find(Profile, Name);

    /// <summary>The stage alone, which the page's script polls to know when to reload.</summary>
    public IActionResult OnGetStage() => new JsonResult(new { stage = comparisons.Find(Profile, Name)?.Stage.ToString() });

    /// <summary>The person's answer.</summary>
    public IActionResult OnPostAnswer(bool same)
    {
        comparisons.Find(Profile, Name)?.Answer(same);
        return Redirect($"/p/{Uri.EscapeDataString(Profile)}/chat/{Uri.EscapeDataString(Name)}/verify");
    }
}
