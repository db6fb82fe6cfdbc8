// window.imageproxy comes from preload.cjs. Replace the host with one listed in proxy.mjs's allowHosts.
document.getElementById('thumb').src = window.imageproxy.url('300x200,fit', 'https://images.example.com/photo.jpg');
