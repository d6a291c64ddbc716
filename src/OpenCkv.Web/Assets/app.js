// The few things a plain page cannot do: copy a code, and reload the Verify Contact screen when its stage moves.
'use strict';

document.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) {
    return;
  }
  const said = button.parentElement.querySelector('.copied');
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    if (said) { said.textContent = 'Copied.'; }
  } catch {
    if (said) { said.textContent = 'Select the code and copy it.'; }
  }
});

const comparison = document.getElementById('comparison');
if (comparison && ['Waiting', 'ShowingCode'].includes(comparison.dataset.stage)) {
  const shown = comparison.dataset.stage;
  setInterval(async () => {
    const answer = await fetch(comparison.dataset.poll, { cache: 'no-store' });
    if (answer.ok && (await answer.json()).stage !== shown) {
      location.reload();
    }
  }, 700);
}
