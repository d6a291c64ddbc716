using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client;
using OpenCkv.Protocol.Api;
using OpenCkv.Web.Pages;

namespace OpenCkv.Web.Pages.Log;

/// <summary>
/// The log explorer: the current tree head and auditor head, each step of a verified search for a handle (the
/// device's own by default), and the entries over time with the distinguished ones marked.
/// </summary>
public sealed class ExplorerModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>Entries per page.</summary>
    public const int PageSize = 50;

    /// <summary>The handle searched.</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    /// <summary>The first entry of the page shown; the newest page when absent.</summary>
    [BindProperty(SupportsGet = true)]
    public ulong? From { get; set; }

    /// <summary>The verified search, explained.</summary>
    public SearchExplanation? Explanation { get; private set; }

    /// <summary>The page of entries.</summary>
    public EntriesPage? Entries { get; private set; }

    /// <summary>A timestamp as the page shows it.</summary>
    public static string Time(ulong ms) => DateTimeOffset.FromUnixTimeMilliseconds((long)ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>Searches and lists.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(async device =>
    {
        Query = string.IsNullOrWhiteSpace(Query) ? device.Label : Query.Trim();
        LogInfoMessage info = await device.LogInfoAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        From ??= info.TreeSize > PageSize ? info.TreeSize - PageSize : 0;
        Entries = await device.LogEntriesAsync(From.Value, PageSize, HttpContext.RequestAborted).ConfigureAwait(false);
        Explanation = await device.ExplainSearchAsync(Query, HttpContext.RequestAborted).ConfigureAwait(false);
    });
}
