/**
 * The admin's view of the users attendees created (issue 18): the list (id, created, ratings, last
 * rating) and the step before a delete, as the models' delete asks first (pages/admin.ts).
 */
import type { SiteUserSummary } from '../db/site-users';
import { html, SafeHtml } from '../html';
import { page } from './layout';

const when = (date: Date | number) => new Date(date).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

export function siteUsersSection(
  users: readonly SiteUserSummary[],
  bounds: { perBrowser: number; perClient: number; total: number },
): SafeHtml {
  return html`<section class="card" aria-labelledby="site-users-heading" id="site-users">
    <h2 id="site-users-heading">Users created by attendees</h2>
    <p class="muted">
      ${users.length} of at most ${bounds.total} (${bounds.perBrowser} per browser, ${bounds.perClient} per address).
      Deleting one removes the user and their ratings from the database.
    </p>
    ${
      users.length === 0
        ? html`<p>None yet.</p>`
        : html`<table class="stack">
            <thead>
              <tr>
                <th>User</th>
                <th>Created</th>
                <th class="num">Ratings</th>
                <th>Last rating</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              ${users.map(
                (u) =>
                  html`<tr data-site-user="${u.id}">
                    <td data-label="User"><a href="/recommend/${u.id}/">${u.id}</a></td>
                    <td data-label="Created">${when(u.createdAt)}</td>
                    <td class="num" data-label="Ratings">${u.ratings}</td>
                    <td data-label="Last rating">${u.latestRating === null ? '–' : when(u.latestRating)}</td>
                    <td class="buttons">
                      <a class="button secondary" href="/admin/site-users/${u.id}/delete">Delete user ${u.id}</a>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

export function deleteSiteUserPage(user: SiteUserSummary, csrfToken: string): string {
  return page(
    'Delete user',
    html`<h1>Delete user ${user.id}</h1>
      <section class="card medium">
        <p>
          Delete user <strong>${user.id}</strong>, created ${when(user.createdAt)}, and their ${user.ratings}
          ${user.ratings === 1 ? 'rating' : 'ratings'}?
        </p>
        <p class="muted">
          The user and their ratings leave the database at once, with any of their events not yet sent; the browser that
          started it becomes a visitor again. Events Amazon Personalize already received stay in its dataset.
        </p>
        <form method="post" action="/admin/site-users/${user.id}/delete">
          <input type="hidden" name="_csrf" value="${csrfToken}" />
          <div class="buttons"><button type="submit">Delete user ${user.id}</button> <a href="/admin/">Cancel</a></div>
        </form>
      </section>`,
  );
}
