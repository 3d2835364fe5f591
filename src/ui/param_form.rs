//! The form for the values of the SQL's parameters.

use leptos::prelude::*;

use super::Store;

/// Inputs for the values of the SQL's parameters (`?`, `:name`), shown when
/// it has any; Enter in one runs the query.
#[component]
pub fn ParamForm(
    /// Runs the query with the values given.
    on_run: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let store = expect_context::<Store>();
    // Rebuilt when the names change, not on every keystroke (which would
    // take the focus away).
    let names = Memo::new(move |_| {
        store
            .params
            .with(|p| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
    });
    move || {
        let names = names.get();
        (!names.is_empty()).then(|| {
            view! {
                <fieldset class="params">
                    <legend>"Parameters"</legend>
                    {names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let value = move || {
                                store.params.with(|p| p.get(i).map(|(_, v)| v.clone()))
                            };
                            view! {
                                <label class="param">
                                    <span class="param-name">{name}</span>
                                    <input
                                        type="text"
                                        data-param=i
                                        spellcheck="false"
                                        prop:value=value
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            store.params.update(|p| {
                                                if let Some(slot) = p.get_mut(i) {
                                                    slot.1 = v;
                                                }
                                            });
                                        }
                                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                            if ev.key() == "Enter" {
                                                ev.prevent_default();
                                                on_run();
                                            }
                                        }
                                    />
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            }
        })
    }
}
