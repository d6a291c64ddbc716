using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OpenCkv.Web.Pages;

/// <summary>The device profiles to open, one per tab.</summary>
public sealed class IndexModel(ProfileDevices devices) : PageModel
{
    /// <summary>The profile names.</summary>
    public IReadOnlyList<string> Names { get; private set; } = [];

    /// <summary>Lists the profiles.</summary>
    public void OnGet() => Names = devices.Names();
}
