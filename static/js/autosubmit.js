// Forms whose <select data-autosubmit> submits them on change (the status filters), without
// inline event handlers: the Content-Security-Policy allows scripts from files only.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
