using Microsoft.Playwright;

namespace OpenCkv.Server.Tests;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright through its executable path (no browser download), and the
/// folder where browser tests leave their screenshots: artifacts/test-results/screenshots of the repository.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private static readonly string[] Flags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    /// <summary>Where screenshots go.</summary>
    public static string Screenshots
    {
        get
        {
            string folder = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(folder, "OpenCkv.sln")))
            {
                folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("The repository root (OpenCkv.sln) is not above the test folder.");
            }

            string screenshots = Path.Combine(folder, "artifacts", "test-results", "screenshots");
            System.IO.Directory.CreateDirectory(screenshots);
            return screenshots;
        }
    }

    public static async Task<Browser> LaunchAsync()
    {
        string executable = Environment.GetEnvironmentVariable("OPENCKV_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(executable), $"Chromium is not at {executable}: scripts/test.sh installs Debian's chromium package");
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true, Args = Flags });
            return new Browser(playwright, chromium);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
