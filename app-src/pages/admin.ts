/**
 * /admin/: log in, then list, add, edit and delete the models an admin adds (views only). The
 * models table is `stack`: on a phone each model is a card with labelled fields (static/assets.ts).
 */
import type { AdminModel } from '../db/admin-models';
import { html, SafeHtml } from '../html';
import { MODEL_TYPES, type Model } from '../recommenders/port';
import { page } from './layout';

export interface ModelForm {
  readonly name: string;
  readonly campaignArn: string;
  readonly type: string;
  readonly sortOrder: string;
}

export const EMPTY_FORM: ModelForm = { name: '', campaignArn: '', type: 'recommend', sortOrder: '100' };

export function loginPage(csrfToken: string, error?: string): string {
  return page(
    'Admin log in',
    html`<h1>Admin</h1>
      <section class="card narrow">
        <h2>Log in</h2>
        ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
        <form method="post" action="/admin/login">
          <input type="hidden" name="_csrf" value="${csrfToken}" />
          <label for="username">User name</label>
          <input type="text" id="username" name="username" value="admin" autocomplete="username" />
          <label for="password">Password</label>
          <input type="password" id="password" name="password" autocomplete="current-password" />
          <div class="buttons"><button type="submit">Log in</button></div>
        </form>
      </section>`,
  );
}

function modelFields(form: ModelForm): SafeHtml {
  return html`<label for="name">Name</label>
    <input type="text" id="name" name="name" value="${form.name}" maxlength="100" required />
    <label for="campaignArn">Campaign ARN</label>
    <input
      type="text"
      id="campaignArn"
      name="campaignArn"
      value="${form.campaignArn}"
      placeholder="arn:aws:personalize:us-east-1:123456789012:campaign/my-campaign"
      required
    />
    <label for="type">Type</label>
    <select id="type" name="type">
      ${MODEL_TYPES.map((t) => html`<option value="${t}" ${t === form.type ? html`selected` : ''}>${t}</option>`)}
    </select>
    <label for="sortOrder">Sort order</label>
    <input type="number" id="sortOrder" name="sortOrder" value="${form.sortOrder}" step="1" />`;
}

export interface AdminPageData {
  readonly csrfToken: string;
  readonly adminModels: readonly AdminModel[];
  /** Every model the site offers (registry and local too), read-only here. */
  readonly allModels: readonly Model[];
  readonly form: ModelForm;
  readonly errors: readonly string[];
  readonly notice?: string;
  /** The users attendees created (pages/site-user-admin.ts). */
  readonly siteUsers?: SafeHtml;
}

export function adminPage(data: AdminPageData): string {
  return page(
    'Admin',
    html`<div class="page-head">
        <h1>Admin: models</h1>
        <form method="post" action="/admin/logout">
          <input type="hidden" name="_csrf" value="${data.csrfToken}" />
          <button type="submit" class="secondary">Log out</button>
        </form>
      </div>
      ${data.notice ? html`<div class="notice" role="status">${data.notice}</div>` : ''}
      <section class="card" aria-labelledby="admin-models-heading">
        <h2 id="admin-models-heading">Models added here</h2>
        ${
          data.adminModels.length === 0
            ? html`<p>None yet.</p>`
            : html`<table class="stack">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Type</th>
                    <th>Campaign ARN</th>
                    <th class="num">Sort order</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.adminModels.map(
                    (m) =>
                      html`<tr>
                        <td data-label="Name">${m.name}</td>
                        <td data-label="Type">${m.type}</td>
                        <td data-label="Campaign ARN"><code>${m.campaignArn}</code></td>
                        <td class="num" data-label="Sort order">${m.sortOrder}</td>
                        <td class="buttons">
                          <a class="button" href="/admin/models/${m.id}/edit">Edit ${m.name}</a>
                          <a class="button secondary" href="/admin/models/${m.id}/delete">Delete ${m.name}</a>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </section>
      <section class="card medium" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a model</h2>
        ${formErrors(data.errors)}
        <form method="post" action="/admin/models">
          <input type="hidden" name="_csrf" value="${data.csrfToken}" />
          ${modelFields(data.form)}
          <div class="buttons"><button type="submit">Add model</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="all-heading">
        <h2 id="all-heading">All models on the site</h2>
        <p class="muted">Published by the Personalize controller, trained locally, or added here.</p>
        <ul>
          ${data.allModels.map((m) => html`<li>${m.name} (${m.type}, ${m.source})</li>`)}
        </ul>
      </section>
      ${data.siteUsers ?? ''}`,
  );
}

export function editPage(id: number, csrfToken: string, form: ModelForm, errors: readonly string[]): string {
  return page(
    'Edit model',
    html`<h1>Edit model</h1>
      <section class="card medium">
        ${formErrors(errors)}
        <form method="post" action="/admin/models/${id}">
          <input type="hidden" name="_csrf" value="${csrfToken}" />
          ${modelFields(form)}
          <div class="buttons"><button type="submit">Save</button> <a href="/admin/">Cancel</a></div>
        </form>
      </section>`,
  );
}

/** The step before a delete: what goes, and what becomes of pages that name the model. */
export function deletePage(id: number, csrfToken: string, name: string, campaignArn: string): string {
  return page(
    'Delete model',
    html`<h1>Delete model</h1>
      <section class="card medium">
        <p>Delete <strong>${name}</strong> (<code>${campaignArn}</code>)?</p>
        <p class="muted">
          It leaves the site's lists at once; pages that name it show the default model instead, with a notice. The
          campaign itself is not touched.
        </p>
        <form method="post" action="/admin/models/${id}/delete">
          <input type="hidden" name="_csrf" value="${csrfToken}" />
          <div class="buttons"><button type="submit">Delete ${name}</button> <a href="/admin/">Cancel</a></div>
        </form>
      </section>`,
  );
}

function formErrors(errors: readonly string[]): SafeHtml | string {
  if (errors.length === 0) return '';
  return html`<div class="error" role="alert">
    <ul>
      ${errors.map((e) => html`<li>${e}</li>`)}
    </ul>
  </div>`;
}
